// A throwaway self-signed TLS certificate for tests, made with the OpenSSL API.
#pragma once

#include <filesystem>
#include <string>

namespace nc::fakes {

struct CertificateFiles {
  std::filesystem::path certificate;  // PEM
  std::filesystem::path key;          // PEM, unencrypted
  std::string certificate_pem;
};

// Writes cert.pem and key.pem into dir for common_name (also its IP or DNS alt name), valid
// for a day. Throws std::runtime_error when OpenSSL fails.
CertificateFiles make_self_signed_certificate(const std::filesystem::path& dir,
                                              const std::string& common_name = "127.0.0.1");

}  // namespace nc::fakes
