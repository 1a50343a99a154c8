#!/usr/bin/env bash
# A login flood against a release build: 64 connections post logins with unknown, distinct
# emails for 15 s (wrk), while a paced reader fetches the published demo article anonymously
# and a sampler reads the server's RSS from /proc every 100 ms until 30 s after the flood.
# Everything runs on this machine, over loopback, and stops by itself.
#
#   bench/login_flood.sh          # needs wrk (apt-get install wrk) and python3; loopback only
#   BACKEND=postgres bench/login_flood.sh   # a fresh database on BYLINE_TEST_POSTGRES_URL's server
#
# Prints the login answers by status, the readers' latency percentiles and the RSS figures.
# Environment: CONNECTIONS (64), DURATION (15, seconds), SETTLE (30, seconds after the flood).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/byline-target}"
CONNECTIONS="${CONNECTIONS:-64}"
DURATION="${DURATION:-15}"
SETTLE="${SETTLE:-30}"
PORT="${PORT:-18111}"
SLUG=velmora-council-approves-electric-harbour-ferry-plan
URL="http://127.0.0.1:$PORT"
cargo build -q --release --bin byline
work=$(mktemp -d)
pid=
db_url="$work/byline.db"
pg_db=
if [ "${BACKEND:-sqlite}" = postgres ]; then
    pg_admin="${BYLINE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1/postgres}"
    pg_db="byline_flood_$$"
    psql "$pg_admin" -qc "CREATE DATABASE $pg_db" >/dev/null
    db_url="${pg_admin%/*}/$pg_db"
fi
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    if [ -n "$pg_db" ]; then
        sleep 0.5
        psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# The flood comes from one address: the rate limit is counted but never reached, so that every
# login reaches the password pool this measures.
(cd "$work" && DATABASE_URL="$db_url" BYLINE_BIND="127.0.0.1:$PORT" \
    BYLINE_ADMIN_PASSWORD=benchmark-password BYLINE_RATE_LIMIT=1000000000 RUST_LOG=warn \
    exec "$CARGO_TARGET_DIR/release/byline" >"$work/byline.log" 2>&1) &
pid=$!
for _ in $(seq 50); do curl -sf "$URL/readyz" >/dev/null && break; sleep 0.2; done
curl -sf "$URL/api/v1/articles/$SLUG" >/dev/null || { echo "byline did not start" >&2; exit 1; }

# Every request a new email, so the per-email login throttle never answers in Argon2's place.
cat >"$work/flood.lua" <<'LUA'
local threads = {}
local n = 0
function setup(thread)
    n = n + 1
    thread:set("id", n)
    table.insert(threads, thread)
end
function init(args)
    counter = 0
    statuses = {}
    without_retry_after = 0
end
function request()
    counter = counter + 1
    local body = string.format('{"email":"flood-%d-%d@example.com","password":"not-the-password"}', id, counter)
    return wrk.format("POST", "/api/v1/auth/login", {["Content-Type"] = "application/json"}, body)
end
function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
    if status == 503 and headers["retry-after"] == nil and headers["Retry-After"] == nil then
        without_retry_after = without_retry_after + 1
    end
end
function done(summary, latency, requests)
    local total, missing = {}, 0
    for _, t in ipairs(threads) do
        for status, count in pairs(t:get("statuses")) do
            total[status] = (total[status] or 0) + count
        end
        missing = missing + t:get("without_retry_after")
    end
    for status, count in pairs(total) do
        io.write(string.format("logins answered %d: %d\n", status, count))
    end
    io.write(string.format("503 without Retry-After: %d\n", missing))
end
LUA

before=$(awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")
# wrk stands in for clients on other machines: at a lower priority, so that its own CPU use
# does not count against the server's (both share this machine's cores).
nice -n 10 wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" -s "$work/flood.lua" "$URL" >"$work/wrk.txt" &
flood=$!

# The reader and the sampler, started with the flood: 4 keep-alive connections, each one
# request every 20 ms (200 requests/s in all), and VmRSS every 100 ms.
python3 - "$pid" "$URL/api/v1/articles/$SLUG" "$DURATION" "$SETTLE" >"$work/observer.txt" <<'PY'
import http.client, sys, threading, time, urllib.parse

pid, url, duration, settle = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
u = urllib.parse.urlsplit(url)

def rss_mb():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0

latencies, errors, lock = [], [], threading.Lock()
stop = time.monotonic() + duration

def reader():
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    next_at = time.monotonic()
    while time.monotonic() < stop:
        start = time.monotonic()
        try:
            conn.request("GET", u.path)
            res = conn.getresponse()
            res.read()
            took = time.monotonic() - start
            with lock:
                (latencies if res.status == 200 else errors).append(took if res.status == 200 else res.status)
        except Exception as e:  # a dropped connection is reported, then reopened
            with lock:
                errors.append(repr(e))
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        next_at += 0.02
        time.sleep(max(0.0, next_at - time.monotonic()))

threads = [threading.Thread(target=reader) for _ in range(4)]
for t in threads:
    t.start()
samples, t0 = [], time.monotonic()
while time.monotonic() < stop + settle:
    samples.append((time.monotonic() - t0, rss_mb()))
    time.sleep(0.1)
for t in threads:
    t.join()

lat = sorted(latencies)
pct = lambda p: lat[min(len(lat) - 1, int(len(lat) * p))] * 1000 if lat else float("nan")
peak_t, peak = max(samples, key=lambda s: s[1])
at_end = [m for t, m in samples if t <= duration][-1]
last_over = max((t for t, m in samples if m >= 128), default=None)
print(f"reads: {len(lat)} ok, {len(errors)} failed; p50 {pct(0.50):.2f} ms, p99 {pct(0.99):.2f} ms, max {pct(1.0):.2f} ms")
print(f"RSS peak: {peak:.1f} MB at {peak_t:.1f} s")
print(f"RSS when the flood ended: {at_end:.1f} MB")
print(f"RSS {settle:.0f} s after the flood: {samples[-1][1]:.1f} MB")
if last_over is None:
    print("RSS never reached 128 MB")
else:
    back = next((t for t, m in samples if t > last_over), None)
    print("RSS back under 128 MB " + (f"{back - duration:.1f} s after the flood" if back else "never"))
PY
wait "$flood"
echo "== login flood: $CONNECTIONS connections for ${DURATION}s (wrk)"
grep -E "Requests/sec|logins answered|without Retry-After" "$work/wrk.txt"
echo "== anonymous reads of one article, 200/s over 4 connections, during the flood"
cat "$work/observer.txt"
echo "RSS before the flood: $before MB"
echo "== server's peak RSS since start (VmHWM)"
grep VmHWM "/proc/$pid/status"
