#!/usr/bin/env bash
# Drives Swagger UI in headless Chromium: Authorize with an email and password, create an
# article with "Try it out" on POST /api/v1/articles and expect a live 201; then the same
# with a pasted bearer token (ci/browser/swagger.mjs).
#
#   ci/browser.sh [BYLINE_BINARY]
#
# BYLINE_BINARY defaults to ${CARGO_TARGET_DIR:-target}/release/byline. It runs
# on a temporary SQLite database. The screenshot goes to $CARGO_TARGET_DIR/swagger-ui.png.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BIN="${1:-$CI_TARGET_DIR/release/byline}"
SCREENSHOT="$CI_TARGET_DIR/swagger-ui.png"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

ci_need_cmds
if [ ! -x "$CHROMIUM" ]; then
    ci_apt_install chromium
fi
"$CHROMIUM" --version 2>/dev/null | head -n 1 || true
ci_node_modules

WORK="$(mktemp -d "${TMPDIR:-/tmp}/byline-browser.XXXXXX")"
trap 'ci_stop_byline; rm -rf "$WORK"' EXIT

ci_start_byline "$BIN" "$WORK/byline.db" "$WORK"
token="$(ci_login)"

mkdir -p "$(dirname "$SCREENSHOT")"
rm -f "$SCREENSHOT"
CHROMIUM="$CHROMIUM" timeout --kill-after=10 180 \
    node "$CI_DIR/browser/swagger.mjs" "$BYLINE_URL" "$CI_ADMIN_EMAIL" "$CI_ADMIN_PASSWORD" "$token" "$SCREENSHOT"
echo "screenshot: $SCREENSHOT"
