#!/usr/bin/env bash
# /metrics of the release binary, parsed by the Prometheus client library's own text-format
# parser (prometheus_client), after requests to many different article ids: they are counted
# under one route template.
#
#   ci/metrics.sh [BYLINE_BINARY]
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BIN="${1:-$CI_TARGET_DIR/release/byline}"
VENV="$CI_CACHE_DIR/venv-metrics"
PARSER="prometheus_client==0.21.1"

ci_need_cmds
if [ "$(cat "$VENV/.byline-ci-requirements" 2>/dev/null)" != "$PARSER" ]; then
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input "$PARSER"
    echo "$PARSER" >"$VENV/.byline-ci-requirements"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/byline-metrics.XXXXXX")"
trap 'ci_stop_byline; rm -rf "$WORK"' EXIT
ci_start_byline "$BIN" "$WORK/byline.db" "$WORK"

for _ in $(seq 1 200); do
    curl -s -o /dev/null "$BYLINE_URL/api/v1/articles/$(python3 -c 'import uuid; print(uuid.uuid4())')"
done
curl -fsS "$BYLINE_URL/metrics" >"$WORK/metrics.txt"

"$VENV/bin/python" - "$WORK/metrics.txt" <<'PY' || ci_die "/metrics is not what the Prometheus parser expects"
import sys
from prometheus_client.parser import text_string_to_metric_families

families = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
requests = families["byline_http_requests"]
assert requests.type == "counter", requests.type
routes = {s.labels["route"] for s in requests.samples}
assert not any("-" in r and "{" not in r for r in routes if r.startswith("/api/v1/articles/")), routes
reads = [s for s in requests.samples
         if s.labels.get("route") == "/api/v1/articles/{id}" and s.labels.get("status") == "404"]
assert reads and reads[0].value >= 200, reads
assert families["byline_http_request_duration_seconds"].type == "histogram"
for name in ["byline_db_pool_connections", "byline_db_pool_waiting", "byline_webhook_deliveries_pending"]:
    assert name in families, name
print(f"{len(families)} metric families parsed; {len(routes)} routes")
PY
ci_log "/metrics parses with $PARSER"
