// Makes a self-signed certificate (EC P-256, one day) with the OpenSSL API, so tests do not
// depend on the openssl command.
#include "fakes/self_signed_certificate.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <memory>
#include <stdexcept>

namespace nc::fakes {

namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("cannot make a test certificate: ") + what);
}

void add_extension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  check(extension != nullptr, "extension");
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

}  // namespace

CertificateFiles make_self_signed_certificate(const std::filesystem::path& dir,
                                              const std::string& common_name) {
  KeyPtr key(EVP_EC_gen("P-256"));
  check(key != nullptr, "key");
  CertPtr cert(X509_new());
  check(cert != nullptr, "certificate");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 60 * 60);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);
  add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  boost::system::error_code ec;
  boost::asio::ip::make_address(common_name, ec);
  add_extension(cert.get(), NID_subject_alt_name, (ec ? "DNS:" : "IP:") + common_name);
  check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "signature");

  CertificateFiles files{dir / "cert.pem", dir / "key.pem", {}};
  BioPtr cert_file(BIO_new_file(files.certificate.c_str(), "w"));
  check(cert_file && PEM_write_bio_X509(cert_file.get(), cert.get()) == 1, "writing cert.pem");
  BioPtr key_file(BIO_new_file(files.key.c_str(), "w"));
  check(key_file && PEM_write_bio_PrivateKey(key_file.get(), key.get(), nullptr, nullptr, 0,
                                             nullptr, nullptr) == 1,
        "writing key.pem");
  BioPtr memory(BIO_new(BIO_s_mem()));
  check(memory && PEM_write_bio_X509(memory.get(), cert.get()) == 1, "PEM text");
  char* data = nullptr;
  auto size = BIO_get_mem_data(memory.get(), &data);
  files.certificate_pem.assign(data, static_cast<std::size_t>(size));
  return files;
}

}  // namespace nc::fakes
