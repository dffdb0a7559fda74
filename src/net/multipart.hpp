// Parsing of multipart/form-data request bodies (RFC 7578), the format of file uploads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nc::net {

struct MultipartField {
  std::string name;
  std::optional<std::string> filename;  // present (maybe empty) for file parts
  std::string content_type;             // empty when the part names none
  std::string data;
};

// The fields of a multipart/form-data body, in order; nullopt when content_type is not
// multipart/form-data with a boundary or the body is not well formed (missing closing
// delimiter, a part without a form-data name, oversized part headers).
std::optional<std::vector<MultipartField>> parse_multipart(std::string_view content_type,
                                                           std::string_view body);

}  // namespace nc::net
