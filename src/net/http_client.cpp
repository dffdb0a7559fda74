// HttpClient: libcurl's multi handle driven by asio. libcurl says which sockets to watch and when
// to wake it (socket and timer callbacks); asio waits for those events and hands them back.
#include "net/http_client.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include "net/http_transfer.hpp"

namespace nc::net {

namespace asio = boost::asio;

namespace {

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](unsigned char x, unsigned char y) {
    return std::tolower(x) == std::tolower(y);
  });
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return std::nullopt;
}

class HttpClient::Engine : public std::enable_shared_from_this<Engine> {
 public:
  using Handler = asio::any_completion_handler<void(HttpResponse)>;

  Engine(asio::io_context& io, HttpClientOptions options);
  ~Engine() { shutdown(); }

  void start(HttpRequest request, Handler handler);
  // Aborts every transfer and lets go of libcurl; later calls to start() fail fast.
  void shutdown();
  std::size_t in_flight() const { return pending_.size(); }

 private:
  // A socket libcurl asked us to watch. Pending waits keep it alive after libcurl drops it, so
  // they check `closed` before touching anything else.
  struct Socket {
    Socket(asio::io_context& io, curl_socket_t socket_fd) : descriptor(io), fd(socket_fd) {}
    ~Socket() { close(); }
    // libcurl owns the fd and closes it itself; we only stop watching.
    void close() {
      closed = true;
      if (descriptor.is_open()) descriptor.release();
    }

    asio::posix::stream_descriptor descriptor;
    curl_socket_t fd;
    int wanted = 0;  // CURL_POLL_IN / CURL_POLL_OUT bits
    bool reading = false;
    bool writing = false;
    bool closed = false;
  };

  struct Pending {
    std::unique_ptr<HttpTransfer> transfer;
    Handler handler;
    asio::any_completion_executor
        work;  // keeps the awaiting side's executor from running out of work
  };

  static int on_socket(CURL* easy, curl_socket_t fd, int what, void* engine, void* socket_data);
  static int on_timer(CURLM* multi, long timeout_ms, void* engine);
  int watch(curl_socket_t fd, int what);
  void forget(curl_socket_t fd);
  void wait(const std::shared_ptr<Socket>& socket, bool read);
  void arm_timer(long timeout_ms);
  void act(curl_socket_t fd, int events);
  void collect_finished();
  void cancel(std::uint64_t id);
  void complete(Pending pending, HttpResponse response);

  asio::io_context& io_;
  HttpClientOptions options_;
  CURLM* multi_ = nullptr;
  asio::steady_timer timer_;
  std::unordered_map<curl_socket_t, std::shared_ptr<Socket>> sockets_;
  std::unordered_map<std::uint64_t, Pending> pending_;
  std::uint64_t next_id_ = 1;
};

HttpClient::Engine::Engine(asio::io_context& io, HttpClientOptions options)
    : io_(io), options_(std::move(options)), timer_(io) {
  init_curl_once();
  multi_ = curl_multi_init();
  if (multi_ == nullptr) throw std::runtime_error("libcurl could not create a multi handle");
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &Engine::on_socket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &Engine::on_timer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS,
                    static_cast<long>(options_.max_connections_per_host));
}

void HttpClient::Engine::start(HttpRequest request, Handler handler) {
  const auto executor = asio::get_associated_executor(handler, io_.get_executor());
  Pending pending{nullptr, std::move(handler),
                  asio::prefer(executor, asio::execution::outstanding_work.tracked)};
  if (multi_ == nullptr) {
    return complete(std::move(pending), HttpResponse{.error = "the HTTP client was shut down"});
  }
  const std::uint64_t id = next_id_++;
  pending.transfer = std::make_unique<HttpTransfer>(std::move(request), options_, id);
  if (!pending.transfer->setup_error().empty()) {
    auto response = pending.transfer->abort(pending.transfer->setup_error());
    return complete(std::move(pending), std::move(response));
  }
  if (curl_multi_add_handle(multi_, pending.transfer->easy()) != CURLM_OK) {
    auto response = pending.transfer->abort("libcurl refused to start the request");
    return complete(std::move(pending), std::move(response));
  }
  auto slot = asio::get_associated_cancellation_slot(pending.handler);
  if (slot.is_connected()) {
    slot.assign([weak = weak_from_this(), id](asio::cancellation_type type) {
      auto self = weak.lock();
      if (!self || type == asio::cancellation_type::none) return;
      // Completing here would clear the slot from inside its own handler; finish a turn later.
      asio::post(self->io_, [weak, id] {
        if (auto engine = weak.lock()) engine->cancel(id);
      });
    });
  }
  pending_.emplace(id, std::move(pending));
}

void HttpClient::Engine::shutdown() {
  if (multi_ == nullptr) return;
  auto pending = std::exchange(pending_, {});
  for (auto& [id, entry] : pending) {
    curl_multi_remove_handle(multi_, entry.transfer->easy());
    auto response = entry.transfer->abort("the HTTP client was shut down");
    entry.transfer.reset();
    complete(std::move(entry), std::move(response));
  }
  curl_multi_cleanup(multi_);
  multi_ = nullptr;
  for (auto& [fd, socket] : sockets_) {
    socket->close();
  }
  sockets_.clear();
  timer_.cancel();
}

int HttpClient::Engine::on_socket(CURL*, curl_socket_t fd, int what, void* engine, void*) {
  return static_cast<Engine*>(engine)->watch(fd, what);
}

int HttpClient::Engine::on_timer(CURLM*, long timeout_ms, void* engine) {
  static_cast<Engine*>(engine)->arm_timer(timeout_ms);
  return 0;
}

int HttpClient::Engine::watch(curl_socket_t fd, int what) {
  if (what == CURL_POLL_REMOVE) {
    forget(fd);
    return 0;
  }
  auto it = sockets_.find(fd);
  if (it == sockets_.end()) {
    auto socket = std::make_shared<Socket>(io_, fd);
    boost::system::error_code ec;
    socket->descriptor.assign(fd, ec);
    if (ec) {
      spdlog::error("http client: cannot watch socket {}: {}", fd, ec.message());
      return -1;
    }
    it = sockets_.emplace(fd, std::move(socket)).first;
  }
  const auto socket = it->second;
  socket->wanted = what;
  if ((what & CURL_POLL_IN) != 0 && !socket->reading) wait(socket, true);
  if ((what & CURL_POLL_OUT) != 0 && !socket->writing) wait(socket, false);
  return 0;
}

void HttpClient::Engine::forget(curl_socket_t fd) {
  auto it = sockets_.find(fd);
  if (it == sockets_.end()) return;
  it->second->close();
  sockets_.erase(it);
}

void HttpClient::Engine::wait(const std::shared_ptr<Socket>& socket, bool read) {
  bool& waiting = read ? socket->reading : socket->writing;
  waiting = true;
  const auto type =
      read ? asio::posix::stream_descriptor::wait_read : asio::posix::stream_descriptor::wait_write;
  socket->descriptor.async_wait(
      type, [weak = weak_from_this(), socket, read](boost::system::error_code ec) {
        auto self = weak.lock();
        if (!self || socket->closed) return;
        bool& still_waiting = read ? socket->reading : socket->writing;
        still_waiting = false;
        const int flag = read ? CURL_POLL_IN : CURL_POLL_OUT;
        if (ec == asio::error::operation_aborted || (socket->wanted & flag) == 0) return;
        self->act(socket->fd, ec ? CURL_CSELECT_ERR : read ? CURL_CSELECT_IN : CURL_CSELECT_OUT);
        // While acting, libcurl may have dropped this socket or already asked for a new wait.
        if (!socket->closed && (socket->wanted & flag) != 0 && !still_waiting) {
          self->wait(socket, read);
        }
      });
}

void HttpClient::Engine::arm_timer(long timeout_ms) {
  if (timeout_ms < 0) {
    timer_.cancel();
    return;
  }
  // Even "now" goes through the timer: libcurl must not be re-entered from its own callback.
  timer_.expires_after(std::chrono::milliseconds(timeout_ms));
  timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (!ec && self) self->act(CURL_SOCKET_TIMEOUT, 0);
  });
}

void HttpClient::Engine::act(curl_socket_t fd, int events) {
  if (multi_ == nullptr) return;
  int running = 0;
  curl_multi_socket_action(multi_, fd, events, &running);
  collect_finished();
}

void HttpClient::Engine::collect_finished() {
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
    if (message->msg != CURLMSG_DONE) continue;
    CURL* easy = message->easy_handle;
    const CURLcode code = message->data.result;
    char* id = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &id);
    curl_multi_remove_handle(multi_, easy);  // invalidates `message`
    auto it = pending_.find(reinterpret_cast<std::uintptr_t>(id));
    if (it == pending_.end()) continue;
    Pending pending = std::move(it->second);
    pending_.erase(it);
    auto response = pending.transfer->finish(code);
    pending.transfer.reset();
    complete(std::move(pending), std::move(response));
  }
}

void HttpClient::Engine::cancel(std::uint64_t id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;  // finished in the meantime
  Pending pending = std::move(it->second);
  pending_.erase(it);
  curl_multi_remove_handle(multi_, pending.transfer->easy());
  auto response = pending.transfer->abort("the request was cancelled");
  pending.transfer.reset();
  complete(std::move(pending), std::move(response));
}

void HttpClient::Engine::complete(Pending pending, HttpResponse response) {
  auto slot = asio::get_associated_cancellation_slot(pending.handler);
  if (slot.is_connected()) slot.clear();
  // Posted, never run inline: the awaiting coroutine may start new requests or destroy the client.
  asio::post(io_, asio::append(std::move(pending.handler), std::move(response)));
}

HttpClient::HttpClient(asio::io_context& io, HttpClientOptions options)
    : engine_(std::make_shared<Engine>(io, std::move(options))) {}

HttpClient::~HttpClient() {
  engine_->shutdown();
}

asio::awaitable<HttpResponse> HttpClient::send(HttpRequest request) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(HttpResponse)>(
      [engine = engine_](auto handler, HttpRequest queued) {
        engine->start(std::move(queued), std::move(handler));
      },
      asio::use_awaitable, std::move(request));
}

std::size_t HttpClient::in_flight() const {
  return engine_->in_flight();
}

}  // namespace nc::net
