#!/usr/bin/env bash
# The hot path: anonymous GET of a full article by slug, against a bare actix-web handler that
# serves the same JSON from memory (examples/memory_baseline.rs), measured in the same run with
# wrk at 32 connections. The servers run on CPU 0 and wrk on CPU 1, so they do not compete.
#
#   bench/hot_path.sh            # needs wrk (apt-get install wrk) and PostgreSQL for the second half
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/byline-target}"
PG_ADMIN="${BYLINE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1/postgres}"
DURATION="${DURATION:-10s}"
SLUG=velmora-council-approves-electric-harbour-ferry-plan
cargo build -q --release --bin byline --example memory_baseline
work=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# wrk sends every request from one address: the rate limit is set where it is counted but never
# reached, so that its cost is measured and nothing is refused.
start_byline() { # port database-url
    (cd "$work" && DATABASE_URL="$2" BYLINE_BIND="127.0.0.1:$1" BYLINE_ADMIN_PASSWORD=benchmark-password \
        BYLINE_RATE_LIMIT=1000000000 \
        RUST_LOG=warn taskset -c 0 "$CARGO_TARGET_DIR/release/byline" >"$work/byline-$1.log" 2>&1 &
        echo $! >"$work/pid-$1")
    pids+=("$(cat "$work/pid-$1")")
    for _ in $(seq 50); do curl -sf "http://127.0.0.1:$1/readyz" >/dev/null && return; sleep 0.2; done
    echo "byline on port $1 did not start" >&2; exit 1
}

measure() { # url → "requests/s p99"
    taskset -c 1 wrk -t1 -c32 -d"$DURATION" --latency "$1" |
        awk '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} END {print rps, p99}'
}

start_byline 18101 "$work/byline.db"
curl -sf "http://127.0.0.1:18101/api/v1/articles/$SLUG" >"$work/article.json"
taskset -c 0 "$CARGO_TARGET_DIR/release/examples/memory_baseline" 127.0.0.1:18100 "$work/article.json" >/dev/null 2>&1 &
pids+=($!)
sleep 1

db="byline_hot_$$"
psql "$PG_ADMIN" -qc "CREATE DATABASE $db" >/dev/null
start_byline 18102 "${PG_ADMIN%/*}/$db"

echo "| server | requests/s | p99 | ratio to baseline |"
echo "|---|---|---|---|"
for round in 1 2 3; do
    read -r base_rps base_p99 < <(measure "http://127.0.0.1:18100/api/v1/articles/$SLUG")
    read -r lite_rps lite_p99 < <(measure "http://127.0.0.1:18101/api/v1/articles/$SLUG")
    read -r pg_rps pg_p99 < <(measure "http://127.0.0.1:18102/api/v1/articles/$SLUG")
    echo "| round $round: actix-web from memory (baseline) | $base_rps | $base_p99 | 1.00 |"
    echo "| round $round: Byline, SQLite | $lite_rps | $lite_p99 | $(echo "scale=2; $lite_rps / $base_rps" | bc) |"
    echo "| round $round: Byline, PostgreSQL | $pg_rps | $pg_p99 | $(echo "scale=2; $pg_rps / $base_rps" | bc) |"
done
kill "${pids[@]}" 2>/dev/null || true
sleep 0.5
psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
