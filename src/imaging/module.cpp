// The imaging module's one exported symbol: the table media::imaging() looks up after dlopen.
#include "app/demo/product_photo.hpp"
#include "providers/media/imaging.hpp"
#include "providers/media/reframe.hpp"

extern "C" __attribute__((visibility("default"))) const nc::media::ImagingApi nc_imaging_api{
    .check_photo = &nc::media::check_photo,
    .store_photo = &nc::media::store_photo,
    .reframe_vertical = &nc::media::reframe_vertical,
    .render_product_video = &nc::media::render_product_video,
    .draw_product_photo = &nc::app::demo::draw_product_photo,
};
