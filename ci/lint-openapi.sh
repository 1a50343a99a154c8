#!/usr/bin/env bash
# Lints the committed OpenAPI document with Redocly CLI, using ci/redocly.yaml (and the
# exceptions in ci/.redocly.lint-ignore.yaml). Fails on any error; warnings are printed.
#
#   ci/lint-openapi.sh [OPENAPI_FILE]     (default: openapi/openapi.json)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SPEC="${1:-$REPO_DIR/openapi/openapi.json}"
[ -f "$SPEC" ] || ci_die "no OpenAPI document at $SPEC"

ci_node_modules

# No telemetry and no update checks: the only network use of these scripts is installing packages.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1

cd "$CI_DIR"
ci_log "Redocly CLI $(node -p 'require("./node_modules/@redocly/cli/package.json").version'): $SPEC"
"$CI_DIR/node_modules/.bin/redocly" lint "$SPEC" \
    --config "$CI_DIR/redocly.yaml" \
    --lint-config error \
    --format stylish \
    --max-problems 1000
