// One HttpRequest turned into a configured libcurl easy handle, and the HttpResponse built from
// what libcurl delivers. Internal to HttpClient.
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "net/http_client.hpp"

namespace nc::net {

class HttpTransfer {
 public:
  // `id` is stored as the easy handle's CURLOPT_PRIVATE so the client can find its way back.
  HttpTransfer(HttpRequest request, const HttpClientOptions& options, std::uint64_t id);
  // Frees the easy handle (already removed from any multi handle) and deletes a partial download.
  ~HttpTransfer();
  HttpTransfer(const HttpTransfer&) = delete;
  HttpTransfer& operator=(const HttpTransfer&) = delete;

  CURL* easy() const { return easy_; }
  // Non-empty when the request could not be set up; such a transfer must not be started.
  const std::string& setup_error() const { return setup_error_; }

  // The response for a transfer libcurl reported done with `code`.
  HttpResponse finish(CURLcode code);
  // The response for a transfer that ended without libcurl finishing it (cancelled, shut down).
  HttpResponse abort(std::string reason);

 private:
  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* self);
  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self);
  bool setup(const HttpClientOptions& options, std::uint64_t id);
  bool setup_multipart();
  void setup_method();
  // Remembers the first failing option so setup can report it once at the end.
  template <typename Value>
  void set(CURLoption option, Value value) {
    if (option_error_ == CURLE_OK) option_error_ = curl_easy_setopt(easy_, option, value);
  }
  static int on_connected(void* self, char* peer_ip, char* local_ip, int peer_port, int local_port);
  bool write_body(const char* data, std::size_t size);
  bool open_download();
  std::string describe(CURLcode code) const;

  HttpRequest request_;
  CURL* easy_ = nullptr;
  curl_slist* header_list_ = nullptr;
  curl_mime* mime_ = nullptr;
  CURLcode option_error_ = CURLE_OK;
  std::FILE* file_ = nullptr;
  bool file_opened_ = false;
  bool download_complete_ = false;
  std::size_t received_ = 0;
  bool too_large_ = false;
  bool write_failed_ = false;
  std::string refused_peer_;  // the non-public address a public_peers_only request met
  std::string setup_error_;
  HttpResponse response_;
  char error_buffer_[CURL_ERROR_SIZE] = {};
};

}  // namespace nc::net
