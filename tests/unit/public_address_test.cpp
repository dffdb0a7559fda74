#include "net/public_address.hpp"

#include <gtest/gtest.h>

namespace nc::net {

TEST(PublicAddress, OnlyTheInternetIsPublic) {
  for (const char* ip :
       {"93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700::1111", "::ffff:93.184.216.34"}) {
    EXPECT_TRUE(is_public_address(ip)) << ip;
  }
  for (const char* ip : {"127.0.0.1",
                         "127.8.9.10",
                         "10.1.2.3",
                         "172.16.0.1",
                         "172.31.255.255",
                         "192.168.1.1",
                         "169.254.169.254",
                         "100.64.0.1",
                         "0.0.0.0",
                         "224.0.0.1",
                         "255.255.255.255",
                         "::1",
                         "::",
                         "fe80::1",
                         "fd00::1",
                         "fc00::1",
                         "ff02::1",
                         "::ffff:127.0.0.1",
                         "::ffff:10.0.0.1",
                         "localhost",
                         ""}) {
    EXPECT_FALSE(is_public_address(ip)) << ip;
  }
}

}  // namespace nc::net
