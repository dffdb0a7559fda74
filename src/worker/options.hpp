// The worker's settings, from the configuration (app/wiring.cpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace nc::worker {

struct WorkerOptions {
  std::string owner;
  int concurrency = 64;
  std::chrono::seconds lease{30};          // renewed every 10 s; after a crash others take over
  std::chrono::seconds deadline{20 * 60};  // a video not made by then fails and is refunded
  std::string data_dir = "data";
  std::string public_base_url;  // set: inputs are signed links to us
  std::string link_secret;      // signs /files links
  std::string default_model = "veo3_fast";
  // Provider result links may point at loopback or private networks (tests; a provider on the
  // LAN). Off, such a link fails the download instead of reaching into the host's network.
  bool results_from_private_addresses = false;
  std::vector<std::int64_t> admin_ids;
  // Transient errors allowed in one state (submitting, delivering) before the job fails; the
  // count starts again in every state. Status reads while generating are bounded by the deadline.
  int max_transient_attempts = 8;
  // sendVideo attempts that failed for now before the job fails.
  int max_delivery_attempts = 10;
  // A sendVideo that has not succeeded this long after the job entered delivering fails the job.
  std::chrono::seconds delivery_deadline{10 * 60};
  // Longer than any provider create can take (KIE: 30 s): a worker that finds a create begun less
  // than this ago waits for its creator to record the task rather than create a second one.
  std::chrono::seconds create_in_flight{45};
  std::chrono::seconds operator_pause{120};  // wait before retrying after an operator problem
  std::chrono::seconds sweep{2};             // periodic look for due jobs (also hand-inserted)
  // On stop, steps in progress get this long to finish; then whatever they wait on (throttle,
  // provider, Telegram) is cancelled and their jobs are handed back.
  std::chrono::milliseconds shutdown_grace{3'000};
};

}  // namespace nc::worker
