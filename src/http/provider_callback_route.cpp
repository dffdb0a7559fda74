#include "http/provider_callback_route.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/ids.hpp"
#include "store/job_queue.hpp"

namespace nc::http {

boost::asio::awaitable<net::HttpServerResponse> ProviderCallbackRoute::handle(
    net::HttpServerRequest request) {
  const auto job_id = request.path.substr(path().size());
  const auto signature = request.query_value("sig");
  std::optional<providers::CallbackNotice> notice;
  if (store::is_uuid(job_id)) notice = endpoint_.read(job_id, signature, request.body);
  if (!notice) {
    refusals_.warn(fmt::format("provider callback for {} with a bad signature; ignored",
                               job_id.substr(0, 40)));
    co_return net::HttpServerResponse::text(403, "forbidden");
  }
  const bool adopted = co_await pool_.run([&] {
    return store::JobQueue(database_).on_provider_callback(notice->job_id, notice->task_id);
  });
  if (adopted) {
    spdlog::warn("job {}: adopted task {} from its callback (its creator was cut off)",
                 notice->job_id, *notice->task_id);
  }
  co_return net::HttpServerResponse::text(200, "ok");
}

}  // namespace nc::http
