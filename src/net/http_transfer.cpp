// Builds the libcurl easy handle for one request and collects its response.
#include "net/http_transfer.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "net/public_address.hpp"

namespace nc::net {
namespace {

constexpr long kMaxRedirects = 5;
constexpr const char* kAllowedProtocols = "http,https";
// What a failed download keeps of the error page: enough to log, not enough to fill memory.
constexpr std::size_t kMaxErrorBodyBytes = 4096;

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_readable_file(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec) && ::access(path.c_str(), R_OK) == 0;
}

bool is_success(long status) {
  return status >= 200 && status < 300;
}

}  // namespace

HttpTransfer::HttpTransfer(HttpRequest request, const HttpClientOptions& options, std::uint64_t id)
    : request_(std::move(request)) {
  if (!setup(options, id) && setup_error_.empty()) {
    setup_error_ = "libcurl rejected the request options";
  }
}

HttpTransfer::~HttpTransfer() {
  // The easy handle goes first: the mime tree and header list must outlive its use of them.
  if (easy_ != nullptr) curl_easy_cleanup(easy_);
  curl_mime_free(mime_);
  curl_slist_free_all(header_list_);
  if (file_ != nullptr) std::fclose(file_);
  if (file_opened_ && !download_complete_) std::remove(request_.download_to.c_str());
}

bool HttpTransfer::setup(const HttpClientOptions& options, std::uint64_t id) {
  easy_ = curl_easy_init();
  if (easy_ == nullptr) {
    setup_error_ = "libcurl could not create a request handle";
    return false;
  }
  set(CURLOPT_PRIVATE, reinterpret_cast<void*>(static_cast<std::uintptr_t>(id)));
  set(CURLOPT_URL, request_.url.c_str());
  set(CURLOPT_PROTOCOLS_STR, kAllowedProtocols);
  if (request_.public_peers_only) {
    set(CURLOPT_PREREQFUNCTION, &HttpTransfer::on_connected);
    set(CURLOPT_PREREQDATA, this);
  }
  set(CURLOPT_USERAGENT, options.user_agent.c_str());
  // Signals cannot be used for DNS timeouts in a multi-threaded process.
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_TIMEOUT_MS, static_cast<long>(request_.timeout.count()));
  set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request_.connect_timeout.count()));
  set(CURLOPT_ERRORBUFFER, error_buffer_);
  set(CURLOPT_HEADERFUNCTION, &HttpTransfer::on_header);
  set(CURLOPT_HEADERDATA, this);
  set(CURLOPT_WRITEFUNCTION, &HttpTransfer::on_body);
  set(CURLOPT_WRITEDATA, this);
  // Lets libcurl refuse early when Content-Length is already over the limit.
  set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(request_.max_response_bytes));
  if (request_.follow_redirects) {
    set(CURLOPT_FOLLOWLOCATION, 1L);
    set(CURLOPT_MAXREDIRS, kMaxRedirects);
    set(CURLOPT_REDIR_PROTOCOLS_STR, kAllowedProtocols);
  }

  bool has_expect = false;
  for (const auto& [name, value] : request_.headers) {
    has_expect = has_expect || lower(name) == "expect";
    // "Name;" is libcurl's spelling for a header with an empty value ("Name:" would remove it).
    const auto line = value.empty() ? name + ";" : name + ": " + value;
    header_list_ = curl_slist_append(header_list_, line.c_str());
  }
  // Without this libcurl waits up to a second for "100 Continue" before sending large bodies.
  if (!has_expect) header_list_ = curl_slist_append(header_list_, "Expect:");
  set(CURLOPT_HTTPHEADER, header_list_);

  if (!request_.multipart.empty() && !setup_multipart()) return false;
  setup_method();
  return option_error_ == CURLE_OK;
}

bool HttpTransfer::setup_multipart() {
  mime_ = curl_mime_init(easy_);
  for (const auto& part : request_.multipart) {
    curl_mimepart* field = curl_mime_addpart(mime_);
    curl_mime_name(field, part.name.c_str());
    if (!part.file_path.empty()) {
      // libcurl would only notice an unreadable file halfway through sending.
      if (!is_readable_file(part.file_path)) {
        setup_error_ =
            fmt::format("cannot read file {} for form field {}", part.file_path, part.name);
        return false;
      }
      curl_mime_filedata(field, part.file_path.c_str());
      if (!part.file_name.empty()) curl_mime_filename(field, part.file_name.c_str());
    } else {
      curl_mime_data(field, part.value.data(), part.value.size());
    }
    if (!part.content_type.empty()) curl_mime_type(field, part.content_type.c_str());
  }
  return true;
}

void HttpTransfer::setup_method() {
  const std::string& method = request_.method;
  const bool has_body = mime_ != nullptr || !request_.body.empty() || method == "POST";
  if (mime_ != nullptr) {
    set(CURLOPT_MIMEPOST, mime_);
  } else if (has_body) {
    set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request_.body.size()));
    set(CURLOPT_POSTFIELDS, request_.body.data());
  }
  if (method == "HEAD") set(CURLOPT_NOBODY, 1L);
  const bool implied = has_body ? method == "POST" : method == "GET" || method == "HEAD";
  if (!implied) set(CURLOPT_CUSTOMREQUEST, method.c_str());
}

std::size_t HttpTransfer::on_header(char* data, std::size_t size, std::size_t count, void* self) {
  auto& transfer = *static_cast<HttpTransfer*>(self);
  const std::size_t length = size * count;
  const std::string_view line(data, length);
  if (line.starts_with("HTTP/")) {
    // A new status line: what came with an interim or redirect response no longer matters.
    transfer.response_.headers.clear();
    transfer.response_.body.clear();
    transfer.received_ = 0;
    return length;
  }
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    transfer.response_.headers.emplace_back(lower(trim(line.substr(0, colon))),
                                            std::string(trim(line.substr(colon + 1))));
  }
  return length;
}

std::size_t HttpTransfer::on_body(char* data, std::size_t size, std::size_t count, void* self) {
  auto& transfer = *static_cast<HttpTransfer*>(self);
  const std::size_t length = size * count;
  // Taking fewer bytes than offered makes libcurl abort the transfer with CURLE_WRITE_ERROR.
  if (length > transfer.request_.max_response_bytes - transfer.received_) {
    transfer.too_large_ = true;
    return 0;
  }
  transfer.received_ += length;
  return transfer.write_body(data, length) ? length : 0;
}

int HttpTransfer::on_connected(void* self, char* peer_ip, char* /*local_ip*/, int /*peer_port*/,
                               int /*local_port*/) {
  auto& transfer = *static_cast<HttpTransfer*>(self);
  if (is_public_address(peer_ip)) return CURL_PREREQFUNC_OK;
  transfer.refused_peer_ = peer_ip;
  return CURL_PREREQFUNC_ABORT;
}

bool HttpTransfer::write_body(const char* data, std::size_t size) {
  long status = 0;
  curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
  if (request_.download_to.empty()) {
    response_.body.append(data, size);
    return true;
  }
  if (!is_success(status)) {
    const auto room = kMaxErrorBodyBytes - std::min(kMaxErrorBodyBytes, response_.body.size());
    response_.body.append(data, std::min(size, room));
    return true;
  }
  if (file_ == nullptr && !open_download()) return false;
  if (std::fwrite(data, 1, size, file_) != size) write_failed_ = true;
  return !write_failed_;
}

bool HttpTransfer::open_download() {
  file_ = std::fopen(request_.download_to.c_str(), "wb");
  file_opened_ = file_ != nullptr;
  write_failed_ = !file_opened_;
  return file_opened_;
}

HttpResponse HttpTransfer::finish(CURLcode code) {
  curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &response_.status);
  if (code == CURLE_OK && !request_.download_to.empty() && is_success(response_.status)) {
    // An empty 2xx body still has to leave an (empty) file behind.
    const bool opened = file_ != nullptr || open_download();
    const bool closed = opened && std::fclose(file_) == 0;
    file_ = nullptr;
    download_complete_ = closed;
    if (!closed) {
      write_failed_ = true;
      code = CURLE_WRITE_ERROR;
    }
  }
  if (code != CURLE_OK) {
    response_.error = describe(code);
    response_.timed_out = code == CURLE_OPERATION_TIMEDOUT;
  }
  return std::move(response_);
}

HttpResponse HttpTransfer::abort(std::string reason) {
  HttpResponse response;
  response.error = std::move(reason);
  return response;
}

std::string HttpTransfer::describe(CURLcode code) const {
  if (too_large_ || code == CURLE_FILESIZE_EXCEEDED) {
    return fmt::format("the response is larger than the limit of {} bytes",
                       request_.max_response_bytes);
  }
  if (write_failed_) return fmt::format("could not write the response to {}", request_.download_to);
  if (!refused_peer_.empty()) {
    return fmt::format("refused to connect to {}: not a public address", refused_peer_);
  }
  std::string summary;
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      summary = "the request timed out";
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      summary = "could not resolve the host name";
      break;
    case CURLE_COULDNT_CONNECT:
      summary = "could not connect to the server";
      break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      summary = "could not establish a trusted TLS connection";
      break;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      summary = "the connection broke before the response was complete";
      break;
    case CURLE_TOO_MANY_REDIRECTS:
      summary = "too many redirects";
      break;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      summary = "the URL is not a valid http:// or https:// address";
      break;
    case CURLE_READ_ERROR:
      summary = "could not read a file being uploaded";
      break;
    default:
      summary = curl_easy_strerror(code);
  }
  if (error_buffer_[0] == '\0') return summary;
  return fmt::format("{} ({})", summary, error_buffer_);
}

}  // namespace nc::net
