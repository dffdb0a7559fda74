#include "http/ready_route.hpp"

namespace nc::http {

boost::asio::awaitable<net::HttpServerResponse> ReadyRoute::handle(net::HttpServerRequest) {
  const bool store_ok = readiness_.store_answers();
  const bool intake_ok = !readiness_.intake_runs || readiness_.intake_runs();
  const bool ready = store_ok && intake_ok;
  co_return json_response(ready ? 200 : 503, {{"ready", ready},
                                              {"store", store_ok},
                                              {"intake", intake_ok},
                                              {"mode", readiness_.mode},
                                              {"version", identity_.version},
                                              {"build", identity_.build}});
}

}  // namespace nc::http
