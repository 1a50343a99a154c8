#!/usr/bin/env bash
# What the access log costs the hot path: one release binary on SQLite, anonymous GETs of the
# demo article by slug with wrk at 32 connections, the access log on (the default, RUST_LOG=info)
# and off (RUST_LOG=info,byline::access=warn), in alternating rounds, beside a bare actix-web
# handler serving the same JSON from memory (the same-run baseline). Servers on CPU 0, wrk on
# CPU 1.
#
#   bench/access_log.sh           # needs wrk; ROUNDS (default 3), DURATION (default 10s)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/byline-target}"
DURATION="${DURATION:-10s}"
ROUNDS="${ROUNDS:-3}"
SLUG=velmora-council-approves-electric-harbour-ferry-plan
cargo build -q --release --bin byline --example memory_baseline
work=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

start_byline() { # port log-filter
    (cd "$work" && DATABASE_URL="$work/byline-$1.db" BYLINE_BIND="127.0.0.1:$1" \
        BYLINE_ADMIN_PASSWORD=benchmark-password RUST_LOG="$2" \
        taskset -c 0 "$CARGO_TARGET_DIR/release/byline" >"$work/byline-$1.log" 2>"$work/stderr-$1.log" &
        echo $! >"$work/pid-$1")
    pids+=("$(cat "$work/pid-$1")")
    for _ in $(seq 50); do curl -sf "http://127.0.0.1:$1/readyz" >/dev/null && return; sleep 0.2; done
    echo "byline on port $1 did not start" >&2; exit 1
}

measure() { # url → "requests/s p99"
    taskset -c 1 wrk -t1 -c32 -d"$DURATION" --latency "$1" |
        awk '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} END {print rps, p99}'
}

start_byline 18111 info
start_byline 18112 info,byline::access=warn
curl -sf "http://127.0.0.1:18111/api/v1/articles/$SLUG" >"$work/article.json"
taskset -c 0 "$CARGO_TARGET_DIR/release/examples/memory_baseline" 127.0.0.1:18110 "$work/article.json" >/dev/null 2>&1 &
pids+=($!)
sleep 1

echo "| round | baseline req/s | access log on: req/s, p99 | off: req/s, p99 | on / off |"
echo "|---|---|---|---|---|"
for round in $(seq "$ROUNDS"); do
    read -r base _ < <(measure "http://127.0.0.1:18110/api/v1/articles/$SLUG")
    read -r on on_p99 < <(measure "http://127.0.0.1:18111/api/v1/articles/$SLUG")
    read -r off off_p99 < <(measure "http://127.0.0.1:18112/api/v1/articles/$SLUG")
    echo "| $round | $base | $on ($(echo "scale=2; $on / $base" | bc)×), $on_p99 | $off ($(echo "scale=2; $off / $base" | bc)×), $off_p99 | $(echo "scale=3; $on / $off" | bc) |"
done
echo
echo "access log lines written by the 'on' server: $(grep -c 'byline::access' "$work/stderr-18111.log")"
