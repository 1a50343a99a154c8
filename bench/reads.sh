#!/usr/bin/env bash
# Every read path and the bulk import, on SQLite and PostgreSQL, against a bare actix-web
# handler serving the same JSON from memory (examples/memory_baseline.rs), in one run:
#
#   import      `byline import` of ARTICLES published articles (articles/s)
#   hot         one article over and over, anonymous (the in-process cache answers)
#   304         the same with If-None-Match
#   random      a random article out of ARTICLES, anonymous (the long tail: the cache rarely helps)
#   editor      one article with an editor's token (never cached: one stored-document lookup
#               after the session check)
#
# The servers run on CPU 0 and wrk (-t1 -c32) on CPU 1. RSS is read after the last case.
#
#   bench/reads.sh                       # needs wrk, python3, psql; ARTICLES=10000 DURATION=10s
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/byline-target}"
PG_ADMIN="${BYLINE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1/postgres}"
DURATION="${DURATION:-10s}"
ARTICLES="${ARTICLES:-10000}"
BIN="$CARGO_TARGET_DIR/release/byline"
cargo build -q --release --bin byline --example memory_baseline
work=$(mktemp -d)
pids=()
db="byline_reads_$$"
cleanup() {
    kill "${pids[@]}" 2>/dev/null || true
    sleep 0.5
    psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
pg_url="${PG_ADMIN%/*}/$db"

# The import file: ARTICLES copies of the demo article (loaded by a first start), published.
(cd "$work" && DATABASE_URL="$work/demo.db" BYLINE_BIND=127.0.0.1:18119 BYLINE_ADMIN_PASSWORD=benchmark-password \
    RUST_LOG=warn "$BIN" >/dev/null 2>&1 & echo $! >"$work/pid-demo")
for _ in $(seq 100); do curl -sf http://127.0.0.1:18119/readyz >/dev/null && break; sleep 0.2; done
kill "$(cat "$work/pid-demo")"; sleep 1
DATABASE_URL="$work/demo.db" "$BIN" export -o "$work/demo.json" >/dev/null
python3 bench/articles.py "$work/demo.json" "$ARTICLES" "$work/import.json" "$work/slugs.txt"
SLUG=$(head -1 "$work/slugs.txt")

import_rate() { # database-url → articles/s
    local start end
    DATABASE_URL="$1" BYLINE_DEMO=0 BYLINE_ADMIN_PASSWORD=benchmark-password "$BIN" migrate >/dev/null
    start=$(date +%s.%N)
    DATABASE_URL="$1" "$BIN" import "$work/import.json" >/dev/null
    end=$(date +%s.%N)
    echo benchmark-password | DATABASE_URL="$1" "$BIN" user set-password admin@localhost --password-stdin >/dev/null
    echo "scale=0; $ARTICLES / ($end - $start)" | bc
}
lite_import=$(import_rate "$work/byline.db")
psql "$PG_ADMIN" -qc "CREATE DATABASE $db" >/dev/null
pg_import=$(import_rate "$pg_url")

# wrk sends every request from one address: the rate limit is set where it is counted but never
# reached, so that its cost is measured and nothing is refused.
start_byline() { # port database-url
    (cd "$work" && DATABASE_URL="$2" BYLINE_BIND="127.0.0.1:$1" BYLINE_ADMIN_PASSWORD=benchmark-password \
        BYLINE_RATE_LIMIT=1000000000 BYLINE_DEMO=0 \
        RUST_LOG=warn taskset -c 0 "$BIN" >"$work/byline-$1.log" 2>&1 &
        echo $! >"$work/pid-$1")
    pids+=("$(cat "$work/pid-$1")")
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/readyz" >/dev/null && return; sleep 0.2; done
    echo "byline on port $1 did not start" >&2; exit 1
}

measure() { # url [wrk args…] → "requests/s p99"
    local url=$1; shift
    taskset -c 1 wrk -t1 -c32 -d"$DURATION" --latency "$@" "$url" |
        awk '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} END {print rps, p99}'
}

rss_mb() { # pid → resident set in MB
    awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$1/status"
}

start_byline 18111 "$work/byline.db"
start_byline 18112 "$pg_url"
curl -sf "http://127.0.0.1:18111/api/v1/articles/$SLUG" >"$work/article.json"
taskset -c 0 "$CARGO_TARGET_DIR/release/examples/memory_baseline" 127.0.0.1:18110 "$work/article.json" >/dev/null 2>&1 &
pids+=($!)
sleep 1

token_of() { # port → an editor's access token
    local admin
    admin=$(curl -sf "http://127.0.0.1:$1/api/v1/auth/login" -H 'content-type: application/json' \
        -d '{"email":"admin@localhost","password":"benchmark-password"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
    curl -sf "http://127.0.0.1:$1/api/v1/users" -H "authorization: Bearer $admin" -H 'content-type: application/json' \
        -d '{"email":"editor@example.com","name":"Bench Editor","role":"editor","password":"benchmark-password"}' >/dev/null
    curl -sf "http://127.0.0.1:$1/api/v1/auth/login" -H 'content-type: application/json' \
        -d '{"email":"editor@example.com","password":"benchmark-password"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

echo "| case | baseline req/s | SQLite req/s (ratio) p99 | PostgreSQL req/s (ratio) p99 |"
echo "|---|---|---|---|"
echo "| \`byline import\` of $ARTICLES articles | | $lite_import articles/s | $pg_import articles/s |"
read -r base_rps base_p99 < <(measure "http://127.0.0.1:18110/api/v1/articles/$SLUG")
row() { # name lite-rps lite-p99 pg-rps pg-p99
    echo "| $1 | $base_rps ($base_p99) | $2 ($(echo "scale=2; $2 / $base_rps" | bc)×) $3 | $4 ($(echo "scale=2; $4 / $base_rps" | bc)×) $5 |"
}
case_of() { # name [wrk args…] with URL path as $PATH_OF
    local name=$1; shift
    read -r l_rps l_p99 < <(measure "http://127.0.0.1:18111$PATH_OF" "$@")
    read -r p_rps p_p99 < <(measure "http://127.0.0.1:18112$PATH_OF" "$@")
    row "$name" "$l_rps" "$l_p99" "$p_rps" "$p_p99"
}
PATH_OF="/api/v1/articles/$SLUG" case_of "hot: one article, anonymous"
etag_l=$(curl -sfI "http://127.0.0.1:18111/api/v1/articles/$SLUG" | awk -F': ' 'tolower($1)=="etag" {print $2}' | tr -d '\r')
read -r l_rps l_p99 < <(measure "http://127.0.0.1:18111/api/v1/articles/$SLUG" -H "If-None-Match: $etag_l")
etag_p=$(curl -sfI "http://127.0.0.1:18112/api/v1/articles/$SLUG" | awk -F': ' 'tolower($1)=="etag" {print $2}' | tr -d '\r')
read -r p_rps p_p99 < <(measure "http://127.0.0.1:18112/api/v1/articles/$SLUG" -H "If-None-Match: $etag_p")
row "If-None-Match → 304" "$l_rps" "$l_p99" "$p_rps" "$p_p99"
PATH_OF="/" case_of "random article of $ARTICLES, anonymous" -s bench/random_article.lua -- "$work/slugs.txt"
tl=$(token_of 18111)
tp=$(token_of 18112)
read -r l_rps l_p99 < <(measure "http://127.0.0.1:18111/api/v1/articles/$SLUG" -H "Authorization: Bearer $tl")
read -r p_rps p_p99 < <(measure "http://127.0.0.1:18112/api/v1/articles/$SLUG" -H "Authorization: Bearer $tp")
row "one article, editor token" "$l_rps" "$l_p99" "$p_rps" "$p_p99"
echo
echo "RSS after the run: SQLite $(rss_mb "$(cat "$work/pid-18111")") MB, PostgreSQL $(rss_mb "$(cat "$work/pid-18112")") MB"
