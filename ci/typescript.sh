#!/usr/bin/env bash
# Generates TypeScript types from openapi/openapi.json with openapi-typescript, and type-checks
# the hand-written frontend module ci/typescript/frontend.ts against them (tsc, strict).
#
#   ci/typescript.sh                  generate and type-check only
#   ci/typescript.sh BYLINE_BINARY    also start that binary (SQLite, temporary) and run the
#                                     module against it with node
#   ci/typescript.sh http://HOST:PORT also run the module against a Byline already running there
#
# The generated file, ci/typescript/generated/byline-api.d.ts, is not committed.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SPEC="${BYLINE_OPENAPI:-$REPO_DIR/openapi/openapi.json}"
TARGET="${1:-}"
TS_DIR="$CI_DIR/typescript"
GEN="$TS_DIR/generated"
BIN="$CI_DIR/node_modules/.bin"

ci_need_cmds
ci_node_modules

rm -rf "$GEN"
mkdir -p "$GEN"
ci_log "openapi-typescript $("$BIN/openapi-typescript" --version): $SPEC"
# openapi-typescript lints the document first, with ci/typescript/redocly.yaml.
(cd "$TS_DIR" && "$BIN/openapi-typescript" "$SPEC" --redocly redocly.yaml -o "$GEN/byline-api.d.ts")

ci_log "tsc $("$BIN/tsc" --version | sed "s/^Version //"): tsc --noEmit -p ci/typescript"
"$BIN/tsc" --noEmit -p "$TS_DIR"
ci_log "frontend.ts type-checks against the generated types"

[ -n "$TARGET" ] || exit 0

# --- run the module with node against a live server ---
"$BIN/tsc" -p "$TS_DIR" --noEmit false --outDir "$GEN/js"
min_articles=1
case "$TARGET" in
http://* | https://*)
    base_url="$TARGET"
    ;;
*)
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/byline-typescript.XXXXXX")"
    trap 'ci_stop_byline; rm -rf "$WORK"' EXIT
    ci_start_byline "$TARGET" "$WORK/byline.db" "$WORK"
    base_url="$BYLINE_URL"
    token="$(ci_login)"
    # Two more published articles, so that paging one at a time follows the cursor twice.
    for n in 1 2; do
        id="$(curl -fsS "$BYLINE_URL/api/v1/articles" \
            -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
            -d "{\"title\": \"Frontend check article $n\",
                 \"quotes\": [{\"text\": \"Quote $n.\", \"speaker\": \"Speaker $n\"}]}" |
            python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')"
        curl -fsS -o /dev/null -X POST "$BYLINE_URL/api/v1/articles/$id/publish" -H "Authorization: Bearer $token"
    done
    min_articles=3
    ;;
esac
ci_log "running frontend.ts against $base_url"
node "$TS_DIR/smoke.mjs" "$GEN/js/frontend.js" "$base_url" "$min_articles"
