#!/usr/bin/env bash
# Prints scripts/bench's table (Markdown) from its raw results: "<key> <value>" lines, one per
# figure per run. Medians of the runs, their range, ratios to the baselines of the same run.
# Usage: bench/report.sh RESULTS RUNS SECONDS
set -euo pipefail
results=$1
runs=$2
seconds=$3

# stat KEY -> "median min max" (or "- - -" when the key is missing).
stat() {
  awk -v key="$1" '$1 == key {v[n++] = $2 + 0}
    END {
      if (n == 0) { print "- - -"; exit }
      for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      m = n % 2 ? v[int(n / 2)] : (v[n / 2 - 1] + v[n / 2]) / 2
      print m, v[0], v[n - 1]
    }' "$results"
}
median() { stat "$1" | cut -d' ' -f1; }
sum() { awk -v key="$1" '$1 == key {s += $2} END {print s + 0}' "$results"; }
all_yes() { awk -v key="$1" '$1 == key {n++; if ($2 != "yes") bad++} END {print n && !bad ? "yes" : "no"}' "$results"; }
fmt() {  # fmt VALUE DECIMALS
  [ "$1" = - ] && { echo -; return; }
  awk -v v="$1" -v d="$2" 'BEGIN {printf "%.*f", d, v}'
}
ratio() {  # ratio A B -> "0.42×"
  awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f×", a / b}'
}
meets() {  # meets VALUE OP TARGET
  awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {
    if (v == "-") { print "-"; exit }
    ok = op == ">=" ? v + 0 >= t + 0 : v + 0 <= t + 0
    print ok ? "yes" : "**no**" }'
}

# row NAME KEY DECIMALS [BASE_KEY BASE_NAME] [OP TARGET]
row() {
  local name=$1 key=$2 decimals=$3 base_key=${4:-} base_name=${5:-} op=${6:-} target=${7:-}
  local m lo hi base="" rat="" tgt="" ok=""
  read -r m lo hi < <(stat "$key")
  if [ -n "$base_key" ]; then
    local b
    b=$(median "$base_key")
    base="$base_name $(fmt "$b" "$decimals")"
    rat=$(ratio "$m" "$b")
  fi
  if [ -n "$op" ]; then
    tgt="$op $target"
    ok=$(meets "$m" "$op" "$target")
  fi
  echo "| $name | $(fmt "$m" "$decimals") | $(fmt "$lo" "$decimals")–$(fmt "$hi" "$decimals") | $base | $rat | $tgt | $ok |"
}

verdict() { [ "$1" = yes ] && echo yes || echo "**no**"; }
zero() { [ "$1" = 0 ] && echo yes || echo "**no**"; }
dupes() { echo $(($(sum "$1.extra_sends") + $(sum "$1.answer_dupes"))); }
sent_of_decided() {  # "sent messages + answers / decided messages + answers", medians
  echo "$(fmt "$(median "$1.sent_send")" 0) + $(fmt "$(median "$1.sent_answer")" 0) /" \
    "$(fmt "$(median "$1.decided_send")" 0) + $(fmt "$(median "$1.decided_answer")" 0)"
}

replies() {  # replies KEY NAME: the exactly-one-reply figures of a bot's runs
  local key=$1 name=$2
  echo "| $name: replies decided (outbox) = one per handled update, every run | $(all_yes "$key.decisions_ok") | | | | yes | $(verdict "$(all_yes "$key.decisions_ok")") |"
  echo "| $name: duplicate replies received, all runs | $(dupes "$key") | | | | 0 | $(zero "$(dupes "$key")") |"
  echo "| $name: replies received / decided when the load ends | $(sent_of_decided "$key") | | | | all | $(verdict "$(all_yes "$key.complete")") |"
  echo "| $name: wrk errors and non-2xx, all runs | $(sum "$key.errors") | | | | 0 | $(zero "$(sum "$key.errors")") |"
}

echo
echo "Medians of $runs runs (range min–max); wrk: $seconds s, 2 threads, 40 connections, 10,000 users,"
echo "every 20th request a redelivery. Ratios are to the baseline measured in this same run."
echo
echo "| measurement | median | range | baseline (same run) | ratio | target | meets |"
echo "|---|---:|---:|---|---:|---|---|"
row "pgbench -N tps (8 clients, 2 threads, 10 s)" pgbench.tps 0
row "pgbench -N: PostgreSQL CPU ms per 1,000 transactions" pgbench.cpu_pg_ms 0
row "null handler: requests/s, same wrk load" null.rps 0
row "null handler: p50 ms" null.p50_ms 2
row "null handler: p99 ms" null.p99_ms 2
row "null handler: server CPU ms per 1,000 requests" null.cpu_server_ms 0
row "null handler: wrk CPU ms per 1,000 requests" null.cpu_wrk_ms 0
row "null handler: p99 ms at 1,000 requests/s (paced)" null_paced.p99_ms 2
row "webhook SQLite: updates/s" sqlite.rps 0 null.rps "null" ">=" 25000
row "webhook SQLite: p50 ms" sqlite.p50_ms 2
row "webhook SQLite: p99 ms" sqlite.p99_ms 2
row "webhook SQLite: bot CPU, % of one core" sqlite.cpu_pct 0
row "webhook SQLite: bot CPU ms per 1,000 updates" sqlite.cpu_server_ms 0 null.cpu_server_ms "null"
row "webhook SQLite: wrk CPU ms per 1,000 updates" sqlite.cpu_wrk_ms 0
row "webhook SQLite: idle RSS MB" sqlite.idle_rss_mb 1 "" "" "<=" 15
row "webhook SQLite: peak RSS MB under load" sqlite.peak_rss_mb 1 "" "" "<=" 40
row "webhook SQLite: RSS KB per reply waiting to be sent" sqlite.kb_per_pending 1
replies sqlite "webhook SQLite"
row "webhook PostgreSQL: updates/s" pg.rps 0 pgbench.tps "pgbench" ">=" 10000
row "webhook PostgreSQL: p50 ms" pg.p50_ms 2
row "webhook PostgreSQL: p99 ms" pg.p99_ms 2
row "webhook PostgreSQL: bot CPU, % of one core" pg.cpu_pct 0
row "webhook PostgreSQL: bot CPU ms per 1,000 updates" pg.cpu_server_ms 0 null.cpu_server_ms "null"
row "webhook PostgreSQL: PostgreSQL CPU ms per 1,000 updates" pg.cpu_pg_ms 0 pgbench.cpu_pg_ms "pgbench, per 1,000 tx"
row "webhook PostgreSQL: wrk CPU ms per 1,000 updates" pg.cpu_wrk_ms 0
row "webhook PostgreSQL: idle RSS MB" pg.idle_rss_mb 1 "" "" "<=" 15
row "webhook PostgreSQL: peak RSS MB under load" pg.peak_rss_mb 1 "" "" "<=" 40
row "webhook PostgreSQL: RSS KB per reply waiting to be sent" pg.kb_per_pending 1
replies pg "webhook PostgreSQL"
row "paced SQLite: achieved updates/s" sqlite_paced.rps 0
row "paced SQLite: p50 ms at 1,000 updates/s" sqlite_paced.p50_ms 2
row "paced SQLite: p99 ms at 1,000 updates/s" sqlite_paced.p99_ms 2 null_paced.p99_ms "null" "<=" 5
row "paced SQLite: peak RSS MB" sqlite_paced.peak_rss_mb 1 "" "" "<=" 40
row "paced PostgreSQL: achieved updates/s" pg_paced.rps 0
row "paced PostgreSQL: p50 ms at 1,000 updates/s" pg_paced.p50_ms 2
row "paced PostgreSQL: p99 ms at 1,000 updates/s" pg_paced.p99_ms 2 null_paced.p99_ms "null" "<=" 5
row "paced PostgreSQL: peak RSS MB" pg_paced.peak_rss_mb 1 "" "" "<=" 40
for key in sqlite_exact pg_exact; do
  name="exactly-once SQLite"
  [ "$key" = pg_exact ] && name="exactly-once PostgreSQL"
  echo "| $name: $(fmt "$(median "$key.handled")" 0) updates + $(fmt "$(median "$key.redeliveries")" 0) redeliveries, replies received / decided | $(sent_of_decided "$key") | | | | all, once | $(verdict "$(all_yes "$key.complete")") |"
  echo "| $name: duplicate replies received | $(dupes "$key") | | | | 0 | $(zero "$(dupes "$key")") |"
done
if grep -q '^sqlite_backlog\.' "$results"; then
  echo "| backlog SQLite: 2,000 updates, watched 85 s: replies received / decided | $(sent_of_decided sqlite_backlog) | | | | all, once | $(verdict "$(all_yes sqlite_backlog.complete)") |"
  echo "| backlog SQLite: duplicate replies received | $(dupes sqlite_backlog) | | | | 0 | $(zero "$(dupes sqlite_backlog)") |"
fi
row "breakdown, 1 thread: parse one Update JSON, µs" bd.parse_update 1
row "breakdown SQLite: one update's handling transaction, µs" bd.handle_update/sqlite 0
row "breakdown SQLite: statements per update (BEGIN, savepoint, COMMIT included)" bd.handle_update/sqlite.statements 1
row "breakdown SQLite: compiling those statements (now once per connection), µs per update" bd.compile_statements/sqlite 0 bd.handle_update/sqlite "of handling"
row "breakdown SQLite: one of 32 updates sharing group transactions, µs per update" bd.handle_group/sqlite/real_time.us_per_update 0 bd.handle_update/sqlite "alone"
row "breakdown SQLite: a redelivery (dedupe only), µs" bd.handle_redelivery/sqlite 0
row "breakdown PostgreSQL: one update's handling transaction, µs" bd.handle_update/postgresql 0
row "breakdown PostgreSQL: statements (round trips) per update" bd.handle_update/postgresql.statements 1
row "breakdown PostgreSQL: one trivial statement round trip, µs" bd.trivial_statement/postgresql 0
floor=$(awk -v n="$(median bd.handle_update/postgresql.statements)" \
  -v t="$(median bd.trivial_statement/postgresql)" 'BEGIN {if (n == "-" || t == "-") print "-"; else print n * t}')
echo "| breakdown PostgreSQL: round trips × trivial round trip, µs | $(fmt "$floor" 0) | | of handling $(fmt "$(median bd.handle_update/postgresql)" 0) | $(ratio "$floor" "$(median bd.handle_update/postgresql)") | | |"
row "breakdown PostgreSQL: one of 32 updates sharing group transactions, µs per update" bd.handle_group/postgresql/real_time.us_per_update 0 bd.handle_update/postgresql "alone"
row "breakdown PostgreSQL: a redelivery (dedupe only), µs" bd.handle_redelivery/postgresql 0
for key in q_pg1 q_pg2 q_pg4 q_sqlite1; do
  case $key in
    q_pg1) label="queue PostgreSQL, 1 worker" ;;
    q_pg2) label="queue PostgreSQL, 2 workers" ;;
    q_pg4) label="queue PostgreSQL, 4 workers" ;;
    q_sqlite1) label="queue SQLite, 1 worker" ;;
  esac
  row "$label: jobs/s, claim → done" "$key.jobs_per_s" 0
  if [ "$key" = q_sqlite1 ]; then
    row "$label: transitions/s" "$key.transitions_per_s" 0
  else
    row "$label: transitions/s" "$key.transitions_per_s" 0 pgbench.tps "pgbench"
  fi
  [ "$key" = q_sqlite1 ] ||
    row "$label: PostgreSQL CPU ms per 1,000 jobs" "$key.cpu_pg_ms" 0 pgbench.cpu_pg_ms "pgbench, per 1,000 tx"
  row "$label: enqueue/s" "$key.enqueue_per_s" 0
  row "$label: jobs/s, enqueue → done" "$key.end_to_end_jobs_per_s" 0
  echo "| $label: every job claimed once, 4 transitions each, all done, all runs | $(all_yes "$key.ok") | | | | yes | $(verdict "$(all_yes "$key.ok")") |"
done
for key in inflight_sqlite inflight_pg; do
  label="in-flight SQLite"
  [ "$key" = inflight_pg ] && label="in-flight PostgreSQL"
  row "$label: 10,000 jobs generating, worker RSS MB" "$key.max_rss_mb" 1 "$key.idle_rss_mb" "idle" "<=" 100
  row "$label: worker CPU, % of one core" "$key.cpu_pct" 1 "" "" "<=" 20
  row "$label: RSS MB per 1,000 in flight, over idle" "$key.rss_mb_per_1000" 2
  row "$label: CPU % of one core per 1,000 in flight" "$key.cpu_pct_per_1000" 2
  row "$label: status polls/s" "$key.polls_per_s" 0 "$key.expected_polls_per_s" "due (each every 15 s)"
  row "$label: jobs still generating at the end (none lost, none failed)" "$key.generating" 0 "" "" ">=" 10000
done
row "delivery: 20 × 45 MB videos at once, worker peak RSS growth over idle, MB" delivery.growth_mb 1 "" "" "<=" 10
row "delivery: worker peak RSS MB" delivery.peak_rss_mb 1 delivery.idle_rss_mb "idle"
row "delivery: most deliveries in progress at once" delivery.overlap 0 "" "" ">=" 20
row "delivery: MB/s, first download to last upload" delivery.mb_per_s 0
echo "| delivery: every video arrived whole at the Bot API, all runs | $(all_yes delivery.ok) | | | | yes | $(verdict "$(all_yes delivery.ok)") |"
row "latency with callbacks: task success → sendVideo at Telegram, median ms" latency_callbacks.median_ms 0 "" "" "<=" 200
row "latency with callbacks: p90 ms" latency_callbacks.p90_ms 0
row "latency with callbacks: max ms" latency_callbacks.max_ms 0
row "latency, polling only: median ms" latency_polling.median_ms 0
# Polling: a task that turns successful just after a poll waits one whole interval, then the
# same download, probe and upload as with a callback; so the bound is the interval plus the
# callback median of this run.
bound=$(awk -v i="$(median latency_polling.interval_ms)" -v c="$(median latency_callbacks.median_ms)" \
  'BEGIN {if (i == "-" || c == "-") print "-"; else print i + c}')
row "latency, polling only: max ms (bound: the 15 s interval + the callback median)" \
  latency_polling.max_ms 0 "" "" "<=" "$bound"
measured=no
[ "$(all_yes latency_callbacks.ok)" = yes ] && [ "$(all_yes latency_polling.ok)" = yes ] && measured=yes
echo "| latency: every video delivered and measured, both modes, all runs | $measured | | | | yes | $(verdict "$measured") |"
