// Whether an IP address is on the public internet, so that a URL handed to us by a provider
// cannot make us fetch from this host, its private network or a cloud metadata service.
#pragma once

#include <string_view>

namespace nc::net {

// False for loopback, private (RFC 1918, unique local), carrier-grade NAT, link-local,
// unspecified, multicast and broadcast addresses, and for text that is no address at all.
bool is_public_address(std::string_view ip);

}  // namespace nc::net
