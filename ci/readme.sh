#!/usr/bin/env bash
# Runs README.md's "Walk-through with curl" block by block against a fresh server and compares
# each block's output with what the README shows (ci/readme/walkthrough.py), so that the README
# cannot drift from the product.
#
#   ci/readme.sh [BYLINE_BINARY]
#
# BYLINE_BINARY defaults to ${CARGO_TARGET_DIR:-target}/release/byline. The server starts on an
# empty SQLite database with the admin password the README's first block names.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BIN="${1:-$CI_TARGET_DIR/release/byline}"
README="$REPO_DIR/README.md"

ci_need_cmds
command -v jq >/dev/null || ci_apt_install jq

WORK="$(mktemp -d "${TMPDIR:-/tmp}/byline-readme.XXXXXX")"
trap 'ci_stop_byline; rm -rf "$WORK"' EXIT
mkdir "$WORK/server" "$WORK/client"

# The README's credentials for this throwaway server.
CI_ADMIN_PASSWORD="$(python3 "$CI_DIR/readme/walkthrough.py" "$README" --password)"
ci_start_byline "$BIN" "$WORK/server/walkthrough.db" "$WORK/server"

# `mktemp -d` in the blocks makes its directory under $WORK, removed with it.
TMPDIR="$WORK/client" python3 "$CI_DIR/readme/walkthrough.py" "$README" "$BYLINE_URL" "$WORK/client" \
    || ci_die "the README's walk-through differs from what Byline does (above)"
ci_log "the README's walk-through matches"
