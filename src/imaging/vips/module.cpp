// The imaging module's one exported symbol: the table media::Imaging looks up after dlopen.
#include "imaging/imaging.hpp"
#include "imaging/product_photo.hpp"
#include "imaging/reframe.hpp"

extern "C" __attribute__((visibility("default"))) const nc::media::ImagingApi nc_imaging_api{
    .check_photo = &nc::media::check_photo,
    .store_photo = &nc::media::store_photo,
    .reframe_vertical = &nc::media::reframe_vertical,
    .render_product_video = &nc::media::render_product_video,
    .draw_product_photo = &nc::media::draw_product_photo,
};
