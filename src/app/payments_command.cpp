#include "app/payments_command.hpp"

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "app/build_info.hpp"
#include "app/table.hpp"
#include "app/wiring.hpp"
#include "app/wiring.hpp"
#include "net/http_client.hpp"
#include "store/migrations.hpp"
#include "store/payments.hpp"
#include "store/promo_codes.hpp"
#include "telegram/bot_api.hpp"

namespace nc::app {
namespace {

using nlohmann::json;

// One Bot API call from the command line, on a loop of its own.
telegram::ApiResult call_bot_api(const Config& config, std::string method, json params) {
  boost::asio::io_context io(1);
  net::HttpClient http(io, net::HttpClientOptions{.user_agent = user_agent()});
  telegram::BotApi api(
      io, http,
      telegram::BotApiOptions{
          .base_url = config.telegram_api_url, .token = config.bot_token, .max_attempts = 3});
  auto answer = boost::asio::co_spawn(io, api.call(std::move(method), std::move(params)),
                                      boost::asio::use_future);
  io.run();
  return answer.get();
}

bool has_token(const Config& config, std::string_view what) {
  if (!config.bot_token.empty()) return true;
  std::cerr << "BOT_TOKEN is not set: " << what
            << " goes through the Bot API with the bot's token\n";
  return false;
}

struct ListOptions {
  std::int64_t user = 0;
  std::string since;
  bool json = false;
};

int print_payments(const Config& config, const ListOptions& options) {
  static const std::regex date(R"(^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$)");
  if (!options.since.empty() && !std::regex_match(options.since, date)) {
    std::cerr << "--since '" << options.since
              << "' is not a date: expected YYYY-MM-DD or 'YYYY-MM-DD HH:MM' (UTC)\n";
    return 2;
  }
  auto database = open_store(config);
  store::PaymentFilter filter{.since = options.since};
  if (options.user != 0) filter.tg_user_id = options.user;
  const auto payments = store::Payments(*database).list(filter);
  struct Totals {
    std::int64_t count = 0, stars = 0, credits = 0;
  };
  std::map<std::string, Totals> totals;  // by status
  for (const auto& payment : payments) {
    auto& sum = totals[payment.status];
    ++sum.count;
    sum.stars += payment.stars;
    sum.credits += payment.status == "refunded" ? payment.refunded_credits : payment.credits;
  }
  if (options.json) {
    json list = json::array();
    for (const auto& p : payments) {
      list.push_back({{"charge_id", p.charge_id},
                      {"tg_user_id", p.tg_user_id},
                      {"pack", p.pack},
                      {"credits", p.credits},
                      {"stars", p.stars},
                      {"status", p.status},
                      {"paid_at", p.paid_at},
                      {"refunded_at", p.refunded_at},
                      {"refunded_credits", p.refunded_credits}});
    }
    json sums = json::object();
    for (const auto& [status, sum] : totals) {
      sums[status] = {{"payments", sum.count}, {"stars", sum.stars}, {"credits", sum.credits}};
    }
    std::cout << json{{"payments", list}, {"totals", sums}}.dump(2) << '\n';
    return 0;
  }
  Table table({"paid at", "user", "pack", "credits", "stars", "status", "charge id"});
  for (const auto& p : payments) {
    table.add({short_time(p.paid_at), std::to_string(p.tg_user_id), p.pack,
               std::to_string(p.credits), std::to_string(p.stars), p.status, p.charge_id});
  }
  table.print(std::cout);
  const auto paid = totals["paid"];
  const auto refunded = totals["refunded"];
  std::cout << fmt::format("paid: {} payments, {} Stars, {} credits\n", paid.count, paid.stars,
                           paid.credits);
  std::cout << fmt::format("refunded: {} payments, {} Stars, {} credits taken back\n",
                           refunded.count, refunded.stars, refunded.credits);
  return 0;
}

int refund_payment(const Config& config, const std::string& charge_id, bool to_zero) {
  if (!has_token(config, "a refund")) return 2;
  auto database = open_store(config);
  store::Payments payments(*database);
  const auto plan = payments.plan_refund(charge_id, to_zero);
  switch (plan.outcome) {
    case store::RefundOutcome::kRefundable:
      break;
    case store::RefundOutcome::kSpent:
      std::cerr << fmt::format(
          "not refunded: user {} holds {} credits but the pack gave {}; they have spent some. "
          "Pass --take-balance-to-zero to refund the {} Stars anyway and take the balance to 0\n",
          plan.payment.tg_user_id, plan.balance, plan.payment.credits, plan.payment.stars);
      return 1;
    case store::RefundOutcome::kAlreadyRefunded:
      std::cerr << fmt::format("not refunded: charge {} was already refunded at {}\n", charge_id,
                               short_time(plan.payment.refunded_at));
      return 1;
    default:
      std::cerr << fmt::format("not refunded: {} ({})\n", store::to_string(plan.outcome),
                               charge_id);
      return 1;
  }
  json params{{"user_id", plan.payment.tg_user_id}, {"telegram_payment_charge_id", charge_id}};
  const auto answer = call_bot_api(config, "refundStarPayment", std::move(params));
  // Refunded on Telegram's side but not recorded here (a run cut short): record it now.
  const bool refunded_before =
      answer.description.find("CHARGE_ALREADY_REFUNDED") != std::string::npos;
  if (!answer.ok() && !refunded_before) {
    std::cerr << fmt::format("Telegram refused the refund of charge {}: {}\n", charge_id,
                             answer.description);
    return 1;
  }
  const auto recorded = payments.record_refund(charge_id, to_zero);
  if (recorded.outcome != store::RefundOutcome::kRefunded) {
    std::cerr << fmt::format(
        "Telegram refunded charge {} but it was not recorded: {}; run the command again\n",
        charge_id, store::to_string(recorded.outcome));
    return 1;
  }
  std::cout << fmt::format(
      "{}refunded {} Stars to user {} (charge {}); took back {} credits, balance now {}\n",
      refunded_before ? "Telegram had already refunded; recorded: " : "", plan.payment.stars,
      plan.payment.tg_user_id, charge_id, recorded.take_back, recorded.balance);
  return 0;
}

struct StarPayment {
  std::int64_t tg_user_id = 0;
  std::int64_t stars = 0;
  std::string payload;
};

// Every Star transaction of the bot, oldest first: payments in, refunds out (by charge id).
bool read_star_transactions(const Config& config, std::map<std::string, StarPayment>& paid,
                            std::map<std::string, bool>& refunded) {
  constexpr int kPage = 100;
  for (std::int64_t offset = 0;; offset += kPage) {
    const auto page =
        call_bot_api(config, "getStarTransactions", json{{"offset", offset}, {"limit", kPage}});
    if (!page.ok()) {
      std::cerr << "getStarTransactions failed: " << page.description << '\n';
      return false;
    }
    const auto& list = page.result.value("transactions", json::array());
    for (const auto& item : list) {
      const auto id = item.value("id", "");
      if (item.contains("source") && item["source"].value("type", "") == "user") {
        const auto& source = item["source"];
        paid[id] = StarPayment{.tg_user_id = source["user"].value("id", std::int64_t{0}),
                               .stars = item.value("amount", std::int64_t{0}),
                               .payload = source.value("invoice_payload", "")};
      } else if (item.contains("receiver")) {
        refunded[id] = true;
      }
    }
    if (static_cast<int>(list.size()) < kPage) return true;
  }
}

int reconcile_payments(const Config& config, bool credit) {
  if (!has_token(config, "reconciling")) return 2;
  std::map<std::string, StarPayment> telegram_paid;
  std::map<std::string, bool> telegram_refunded;
  if (!read_star_transactions(config, telegram_paid, telegram_refunded)) return 1;
  auto database = open_store(config);
  store::Payments payments(*database);
  int open_issues = 0;
  for (const auto& [charge, star] : telegram_paid) {
    if (payments.by_charge(charge)) continue;
    std::cout << fmt::format(
        "MISSING charge {}: user {} paid {} Stars (payload {}) but the "
        "ledger has no purchase\n",
        charge, star.tg_user_id, star.stars, star.payload);
    if (!credit) {
      ++open_issues;
      continue;
    }
    const auto credited = database->transaction([&](store::Connection& connection) {
      return store::Payments::credit(connection, star.tg_user_id, star.payload, charge, star.stars);
    });
    if (credited.outcome == store::CreditOutcome::kCredited) {
      std::cout << fmt::format("  credited {} credits to user {}; balance now {}\n",
                               credited.payment.credits, star.tg_user_id, credited.balance);
    } else {
      ++open_issues;
      std::cout << "  not credited: the payload names no open payment of this user at this "
                   "price; settle it with `admin credits grant` or `admin payment refund`\n";
    }
  }
  for (const auto& payment : payments.list({})) {
    if (!telegram_paid.contains(payment.charge_id)) {
      ++open_issues;
      std::cout << fmt::format("UNKNOWN TO TELEGRAM charge {}: paid here by user {} ({} Stars)\n",
                               payment.charge_id, payment.tg_user_id, payment.stars);
    } else if (telegram_refunded.contains(payment.charge_id) && payment.status != "refunded") {
      ++open_issues;
      std::cout << fmt::format(
          "REFUNDED BY TELEGRAM charge {} of user {}: still paid here; "
          "`admin payment refund {}` records it\n",
          payment.charge_id, payment.tg_user_id, payment.charge_id);
    }
  }
  std::cout << fmt::format("{} Telegram payments checked, {} refunds; {}\n", telegram_paid.size(),
                           telegram_refunded.size(),
                           open_issues == 0 ? "reconciled: the ledger matches Telegram"
                                            : std::to_string(open_issues) + " to settle");
  return open_issues == 0 ? 0 : 1;
}

struct PromoArgs {
  std::string code;
  std::int64_t credits = 0;
  std::int64_t uses = 0;
  std::string until;
};

int create_promo(const Config& config, const PromoArgs& args) {
  static const std::regex code(R"(^[A-Za-z0-9_-]{3,32}$)");
  static const std::regex date(R"(^\d{4}-\d{2}-\d{2}$)");
  if (!std::regex_match(args.code, code)) {
    std::cerr << "promo code '" << args.code
              << "' is not valid: expected 3-32 letters, digits, '-' or '_'\n";
    return 2;
  }
  if (!args.until.empty() && !std::regex_match(args.until, date)) {
    std::cerr << "--until '" << args.until
              << "' is not a date: expected YYYY-MM-DD, the last day the code works (UTC)\n";
    return 2;
  }
  auto database = open_store(config);
  const auto name = store::PromoCodes::normalized(args.code);
  if (!store::PromoCodes(*database).create(args.code, args.credits, args.uses, args.until)) {
    std::cerr << "promo code " << name << " exists already: choose another code\n";
    return 1;
  }
  std::cout << fmt::format("promo code {} created: {} credits, {} uses{}\n", name, args.credits,
                           args.uses, args.until.empty() ? "" : ", until " + args.until);
  return 0;
}

int print_promos(const Config& config) {
  auto database = open_store(config);
  Table table({"code", "credits", "used", "of", "until", "created"});
  for (const auto& promo : store::PromoCodes(*database).list()) {
    table.add({promo.code, std::to_string(promo.credits), std::to_string(promo.used),
               std::to_string(promo.max_uses),
               promo.valid_until.empty() ? "-" : short_time(promo.valid_until),
               short_time(promo.created_at)});
  }
  table.print(std::cout);
  return 0;
}

}  // namespace

void add_payment_commands(CLI::App& admin, const std::function<void(StoreCommand)>& run) {
  auto* list = admin.add_subcommand("payments", "Stars top-ups: list with totals, reconcile");
  auto list_options = std::make_shared<ListOptions>();
  list->add_option("--user", list_options->user, "Telegram user id");
  list->add_option("--since", list_options->since, "Paid on or after YYYY-MM-DD (UTC)");
  list->add_flag("--json", list_options->json, "Machine-readable output");
  auto* reconcile = list->add_subcommand(
      "reconcile", "Compare with Telegram's Star transactions (getStarTransactions)");
  auto credit_missing = std::make_shared<bool>(false);
  reconcile->add_flag("--credit", *credit_missing,
                      "Credit payments Telegram has that the ledger lacks");
  reconcile->callback(
      [=] { run([=](const Config& c) { return reconcile_payments(c, *credit_missing); }); });
  list->callback([=] {
    if (reconcile->parsed()) return;
    run([=](const Config& c) { return print_payments(c, *list_options); });
  });

  auto* payment = admin.add_subcommand("payment", "Act on one Stars payment");
  payment->require_subcommand(1);
  auto* refund = payment->add_subcommand(
      "refund", "Give the Stars back (refundStarPayment) and take the pack's credits back");
  auto charge = std::make_shared<std::string>();
  auto to_zero = std::make_shared<bool>(false);
  refund->add_option("charge_id", *charge, "telegram_payment_charge_id")->required();
  refund->add_flag("--take-balance-to-zero", *to_zero,
                   "Refund even when the seller spent some of the credits: take what is left");
  refund->callback(
      [=] { run([=](const Config& c) { return refund_payment(c, *charge, *to_zero); }); });

  auto* promo = admin.add_subcommand("promo", "Promo codes: credits once per seller");
  promo->require_subcommand(1);
  auto* create = promo->add_subcommand("create", "A new code sellers send as /promo CODE");
  auto promo_args = std::make_shared<PromoArgs>();
  create->add_option("code", promo_args->code, "The code (case does not matter)")->required();
  create->add_option("--credits", promo_args->credits, "Credits it gives")
      ->required()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1'000'000}));
  create->add_option("--uses", promo_args->uses, "How many sellers may use it")
      ->required()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1'000'000'000}));
  create->add_option("--until", promo_args->until, "Last day it works, YYYY-MM-DD (UTC)");
  create->callback([=] { run([=](const Config& c) { return create_promo(c, *promo_args); }); });
  auto* promos = promo->add_subcommand("list", "Every code with its uses");
  promos->callback([=] { run([=](const Config& c) { return print_promos(c); }); });
}

}  // namespace nc::app
