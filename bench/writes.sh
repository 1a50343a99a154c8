#!/usr/bin/env bash
# Writes: 8 concurrent writers, each on its own articles, for DURATION per workload, on SQLite
# and on PostgreSQL, with the server on CPU 0 and wrk (bench/writes.lua) on CPU 1. PostgreSQL
# itself is not pinned. Each binary gets a fresh server and database per backend, and three
# workloads run on it one after the other:
#
#   child appends         POST /api/v1/articles/{id}/key-takeaways, no If-Match
#   article PATCHes       PATCH /api/v1/articles/{id}, a new "dek" every time
#   PATCHes, 150 KB body  the same on articles whose body is ~150 KB of text, to show what
#                         storing whole documents per write costs on long articles
#
# Several builds can be measured side by side in one run; each row names its build by its
# path, or by LABEL in the LABEL=path form:
#
#   bench/writes.sh                                   # builds and measures this tree
#   bench/writes.sh before=/var/tmp/byline-before after=/var/tmp/byline-target/release/byline
#
#   DURATION=10s            per workload (whole seconds)
#   BACKENDS="sqlite postgres"
#   ROUNDS=1                repeat everything; rounds alternate the builds on a busy machine
#   BYLINE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1/postgres (an admin connection: a
#                           database byline_writes_<pid>_<n> is created per run and dropped)
#
# Needs wrk, jq, curl, taskset, and psql for PostgreSQL. Only 2xx answers count as writes; any
# other answer or socket error is shown in the non-2xx column and makes the script exit 1.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
PG_ADMIN="${BYLINE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1/postgres}"
DURATION="${DURATION:-10s}"
BACKENDS="${BACKENDS:-sqlite postgres}"
ROUNDS="${ROUNDS:-1}"
WRITERS=8 # the Lua script gives one writer to each wrk thread, with one connection each
PASSWORD=benchmark-password
EMAIL=bench@localhost

[[ "$DURATION" =~ ^([0-9]+)s?$ ]] || { echo "DURATION must be whole seconds, e.g. 10s" >&2; exit 2; }
secs=${BASH_REMATCH[1]}
for tool in wrk jq curl taskset; do
    command -v "$tool" >/dev/null || { echo "writes.sh needs $tool (apt-get install $tool)" >&2; exit 2; }
done

labels=() bins=()
if [ $# -eq 0 ]; then
    export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/byline-target}"
    cargo build -q --release --bin byline
    set -- "$CARGO_TARGET_DIR/release/byline"
fi
for arg in "$@"; do
    if [[ "$arg" =~ ^([^/=]+)=(.+)$ ]]; then label=${BASH_REMATCH[1]} bin=${BASH_REMATCH[2]}; else label=$arg bin=$arg; fi
    [ -x "$bin" ] || { echo "not an executable: $bin" >&2; exit 2; }
    labels+=("$label") bins+=("$(realpath "$bin")")
done

work=$(mktemp -d)
server_pid="" dbs=()
cleanup() {
    [ -z "$server_pid" ] || { kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; } || true
    for db in "${dbs[@]}"; do psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# Article text: a fictional town council, a few paragraphs; the long body repeats them,
# numbered, to ~150 KB (the limit is 200,000 characters).
paragraphs=(
"Hollin Bridge town council met on Tuesday evening to settle the budget for the coming year. The meeting ran for three hours and drew more residents than any meeting since the flood defences were approved."
"Most of the debate concerned the library on Mill Street. The finance committee proposed cutting its Saturday hours to save forty thousand a year; several councillors argued that Saturday is when families and working residents actually use it."
"A compromise kept Saturday opening and closed the branch on Monday mornings instead. The council also agreed to repaint the market hall, to resurface the towpath along the canal, and to review parking charges at the station before the summer."
"The clerk reminded members that the minutes will be published within ten working days and that residents may comment on any item at the next open meeting, which is set for the first Thursday of next month."
)
printf '%s\n\n' "${paragraphs[@]}" >"$work/body.txt"
long="" i=0
while [ ${#long} -lt 150000 ]; do
    long+="Section $((i + 1)). ${paragraphs[$((i % 4))]}"$'\n\n' i=$((i + 1))
done
printf '%s' "$long" >"$work/long.txt"

article_json() { # title body-file → the POST /articles body
    jq -n --arg title "$1" --rawfile body "$2" '{
        title: $title,
        dek: "Councillors agree the budget after a long debate over library hours.",
        body: $body,
        tags: ["hollin-bridge", "local-government"],
        key_takeaways: [
            {text: "The council kept the library open on Saturdays."},
            {text: "The branch will close on Monday mornings instead."},
            {text: "Parking charges at the station will be reviewed before the summer."}],
        quotes: [{text: "Saturday is when people can actually come in.",
                  speaker: "A Hollin Bridge councillor", context: "During the budget debate"}],
        highlights: [{text: "Library keeps its Saturday hours"}],
        risk_notes: [{title: "Savings still short", severity: "low", category: "financial",
                      body: "The Monday closure saves less than the original proposal."}]}'
}
INITIAL_TAKEAWAYS=3
PER_ARTICLE=$((200 - INITIAL_TAKEAWAYS))
# Child appends: each article takes at most 200 key takeaways, so each writer gets enough
# articles to append to for the whole run at up to APPEND_CEILING writes/s in all, and moves
# to its next article when one is full. Pure appends keep the workload what it says (no
# deletes mixed in), and every article goes through the same sizes (3 to 200 children) at any
# speed. A writer that runs out keeps appending to a full article and gets 422s, which fail
# the run instead of counting.
APPEND_CEILING="${APPEND_CEILING:-4000}"
per_writer=$(( (secs * APPEND_CEILING / WRITERS + PER_ARTICLE - 1) / PER_ARTICLE + 1 ))

create_articles() { # count body-file title-prefix → ids, WRITERS lines of count/WRITERS each
    local i json ids
    json=$(article_json "@TITLE@" "$2")
    ids=$(for i in $(seq "$1"); do
        curl -sf "$api/articles" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
            --data-binary @- <<<"${json/@TITLE@/$3 $i: Hollin Bridge council keeps Saturday library hours}"
        echo
    done | jq -r .id)
    [ "$(wc -w <<<"$ids")" -eq "$1" ] || { echo "creating articles failed; server log:" >&2; cat "$log" >&2; exit 1; }
    paste -d' ' $(printf -- '- %.0s' $(seq $(( $1 / WRITERS )))) <<<"$ids"
}

committed() { # ids-file → the writes the server committed to those articles (version − 1 each)
    tr ' ' '\n' <"$1" | sed -n "s|^\(.\+\)$|url = \"$api/articles/\1\"|p" >"$work/urls"
    curl -sf -H "Authorization: Bearer $token" -K "$work/urls" | jq -s 'map(.version - 1) | add'
}

rows=() failures=() run=0
measure() { # label backend workload mode ids-file
    local out ok bad sockerr dur p99 rate n cpu0 cpu1
    cpu0=$(server_cpu)
    out=$(WRITES_MODE=$4 WRITES_TOKEN=$token WRITES_IDS=$5 WRITES_PER_ARTICLE=$PER_ARTICLE \
        taskset -c 1 wrk -t"$WRITERS" -c"$WRITERS" -d"${secs}s" --timeout 30s -s "$root/bench/writes.lua" "$base")
    cpu1=$(server_cpu)
    read -r ok bad sockerr dur p99 < <(awk '/^RESULT/ {print $2, $3, $4, $5, $6}' <<<"$out")
    rate=$(echo "scale=1; $ok * 1000000 / $dur" | bc)
    # Every counted write must be a committed change: the articles' versions rose by the 2xx
    # count, plus at most one request per writer still in flight when wrk stopped.
    n=$(committed "$5")
    local verdict=""
    if [ "$bad" -ne 0 ] || [ "$sockerr" -ne 0 ] || [ "$n" -lt "$ok" ] || [ "$n" -gt $((ok + WRITERS)) ]; then
        verdict=" FAILED"
        failures+=("$1, $2, $3: $ok 2xx, $bad non-2xx, $sockerr socket errors, $n committed")
        while read -r line; do failures+=("  writer ${line#BAD }"); done < <(grep '^BAD' <<<"$out" || true)
    fi
    rows+=("| $1 | $2 | $3 | $rate | $(echo "scale=2; $p99 / 1000" | bc)ms | $bad$verdict |")
    # The server's own CPU time shows how much of CPU 0 it got on a busy machine, and what a
    # write costs it (PostgreSQL's work is not included).
    echo "  $3: $rate writes/s (2xx: $ok, non-2xx: $bad, committed: $n);" \
        "server busy $(echo "scale=2; ($cpu1 - $cpu0) / $CLK_TCK / $secs" | bc) of a core," \
        "$(echo "($cpu1 - $cpu0) * 1000000 / $CLK_TCK / ($ok + 1)" | bc) µs CPU per write" >&2
}
CLK_TCK=$(getconf CLK_TCK)
server_cpu() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; } # user + system, in ticks

run_one() { # label binary backend
    local dir url port
    run=$((run + 1)) port=$((18300 + run)) dir="$work/run$run"
    mkdir -p "$dir"
    if [ "$3" = sqlite ]; then
        url="$dir/byline.db"
    else
        local db="byline_writes_$$_$run"
        psql "$PG_ADMIN" -qc "CREATE DATABASE $db" >/dev/null
        dbs+=("$db") url="${PG_ADMIN%/*}/$db"
    fi
    log="$dir/byline.log" base="http://127.0.0.1:$port" api="http://127.0.0.1:$port/api/v1"
    echo "$1 on $3 (load average: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    # The working directory is the run's own, so that no .env of the caller is read. All writers
    # share one token: the rate limit is counted but never reached.
    (cd "$dir" && DATABASE_URL="$url" BYLINE_BIND="127.0.0.1:$port" BYLINE_DEMO=0 \
        BYLINE_RATE_LIMIT=1000000000 \
        BYLINE_ADMIN_EMAIL=$EMAIL BYLINE_ADMIN_PASSWORD=$PASSWORD BYLINE_ACCESS_TOKEN_TTL=3600 \
        BYLINE_JWT_SECRET=benchmark-signing-key-of-at-least-32-bytes RUST_LOG=warn \
        exec taskset -c 0 "$2" >"$log" 2>&1) &
    server_pid=$!
    for _ in $(seq 150); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.2; done
    curl -sf "$base/readyz" >/dev/null || { echo "byline did not start:" >&2; cat "$log" >&2; exit 1; }
    token=$(curl -sf "$api/auth/login" -H 'Content-Type: application/json' \
        -d "{\"email\": \"$EMAIL\", \"password\": \"$PASSWORD\"}" | jq -r .access_token)

    # Each workload's articles are created just before it. The long articles come last: with
    # them in the database, PATCHes of ordinary articles took about a fifth more server CPU on
    # SQLite, and that figure should not depend on them.
    create_articles $((WRITERS * per_writer)) "$work/body.txt" "Appends" >"$dir/append.ids"
    measure "$1" "$3" "child appends" append "$dir/append.ids"
    create_articles "$WRITERS" "$work/body.txt" "Patches" >"$dir/patch.ids"
    measure "$1" "$3" "article PATCHes" patch "$dir/patch.ids"
    create_articles "$WRITERS" "$work/long.txt" "Long" >"$dir/long.ids"
    measure "$1" "$3" "PATCHes, 150 KB body" patch "$dir/long.ids"

    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
    if [ -s "$log" ]; then echo "  server log (RUST_LOG=warn):" >&2; tail -n 20 "$log" | sed 's/^/    /' >&2; fi
    [ "$3" = sqlite ] || psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS byline_writes_$$_$run WITH (FORCE)" >/dev/null
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq "$ROUNDS"); do
    for backend in $BACKENDS; do
        for i in "${!bins[@]}"; do run_one "${labels[$i]}" "${bins[$i]}" "$backend"; done
    done
done

echo
echo "$WRITERS writers, ${secs}s per workload, $(nproc) cores; load average $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after"
echo
echo "| binary | backend | workload | writes/s | p99 | non-2xx |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
if [ ${#failures[@]} -gt 0 ]; then
    echo >&2
    echo "FAILED: answers other than 2xx, socket errors, or counts that the articles' versions do not bear out:" >&2
    printf '%s\n' "${failures[@]}" >&2
    echo "(a 422 \"at most 200 of each kind\" means the append writers ran out of articles: raise APPEND_CEILING)" >&2
    exit 1
fi
