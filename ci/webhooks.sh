#!/usr/bin/env bash
# Webhook deliveries from the release binary, received by docs/webhook_receiver.py (the README's
# example, standard library only) and by a receiver that verifies them with the Standard
# Webhooks reference library (the `standardwebhooks` package), so that the signatures are
# checked by code that is not ours.
#
#   ci/webhooks.sh [BYLINE_BINARY]
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BIN="${1:-$CI_TARGET_DIR/release/byline}"
VENV="$CI_CACHE_DIR/venv-webhooks"
REFERENCE="standardwebhooks==1.1.0"

ci_need_cmds
if [ "$(cat "$VENV/.byline-ci-requirements" 2>/dev/null)" != "$REFERENCE" ]; then
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input "$REFERENCE"
    echo "$REFERENCE" >"$VENV/.byline-ci-requirements"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/byline-webhooks.XXXXXX")"
RECEIVERS=()
cleanup() {
    ci_stop_byline
    for pid in "${RECEIVERS[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

CI_BYLINE_ENV="BYLINE_WEBHOOK_ALLOW_PRIVATE=1" ci_start_byline "$BIN" "$WORK/byline.db" "$WORK"
TOKEN="$(ci_login)"
api() { curl -fsS --max-time 10 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }

# The reference library's receiver: prints the verified event, one JSON per line.
cat >"$WORK/reference.py" <<'PY'
import json, os, sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from standardwebhooks.webhooks import Webhook

hook = Webhook(os.environ["SECRET"])

class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        try:
            event = hook.verify(body, dict(self.headers.items()))
        except Exception as e:
            print("REJECTED", e, flush=True)
            self.send_response(400); self.end_headers(); return
        print(json.dumps(event), flush=True)
        self.send_response(204); self.end_headers()
    def log_message(self, *args):
        pass

HTTPServer(("127.0.0.1", int(sys.argv[1])), Receiver).serve_forever()
PY

register() {
    local port="$1"
    api "$BYLINE_URL/api/v1/webhooks" -d "{\"url\": \"http://127.0.0.1:$port/hook\", \"events\": [\"article.published\"]}" \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["secret"])'
}

OURS_PORT="$(ci_free_port)"
SECRET="$(register "$OURS_PORT")"
BYLINE_WEBHOOK_SECRET="$SECRET" python3 "$REPO_DIR/docs/webhook_receiver.py" "$OURS_PORT" >"$WORK/ours.log" 2>&1 &
RECEIVERS+=($!)
REF_PORT="$(ci_free_port)"
SECRET="$(register "$REF_PORT")" "$VENV/bin/python" "$WORK/reference.py" "$REF_PORT" >"$WORK/reference.log" 2>&1 &
RECEIVERS+=($!)
sleep 1

ID="$(api "$BYLINE_URL/api/v1/articles" -d '{"title": "Signed and delivered"}' | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')"
api -X POST "$BYLINE_URL/api/v1/articles/$ID/publish" -o /dev/null

for _ in $(seq 1 50); do
    if grep -q "article.published" "$WORK/ours.log" && grep -q '"article.published"' "$WORK/reference.log"; then
        break
    fi
    sleep 0.2
done
grep -q "article.published" "$WORK/ours.log" || { cat "$WORK/ours.log" >&2; ci_die "the README's receiver did not accept the delivery"; }
grep -q '"article.published"' "$WORK/reference.log" || { cat "$WORK/reference.log" >&2; ci_die "the reference library did not verify the delivery"; }
if grep -q REJECTED "$WORK/reference.log"; then ci_die "the reference library rejected a delivery"; fi
ci_log "deliveries verified by the README's receiver and by $REFERENCE"
