#!/usr/bin/env bash
# Checks that every response of a running Byline conforms to its own OpenAPI document, with
# schemathesis, on SQLite and then on PostgreSQL.
#
#   ci/conformance.sh [BYLINE_BINARY]
#
# BYLINE_BINARY defaults to ${CARGO_TARGET_DIR:-/var/tmp/byline-target}/release/byline.
# Environment (all optional):
#   BYLINE_TEST_POSTGRES_URL          server on which a fresh database is created and dropped
#                                     (default postgres://postgres@127.0.0.1/postgres)
#   BYLINE_CONFORMANCE_BACKENDS       "sqlite postgres" (default), or one of them
#   BYLINE_CONFORMANCE_MAX_EXAMPLES   test cases per operation and phase (default 100)
#   BYLINE_CONFORMANCE_SEED           seed, to replay a run (default: random, printed)
#   BYLINE_CONFORMANCE_REPORT_DIR     JUnit and JSON reports (default $CARGO_TARGET_DIR/conformance)
set -euo pipefail
# shellcheck source=ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BIN="${1:-$CI_TARGET_DIR/release/byline}"
PG_URL="${BYLINE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1/postgres}"
BACKENDS="${BYLINE_CONFORMANCE_BACKENDS:-sqlite postgres}"
MAX_EXAMPLES="${BYLINE_CONFORMANCE_MAX_EXAMPLES:-100}"
SEED="${BYLINE_CONFORMANCE_SEED:-$(python3 -c 'import random; print(random.randrange(2**31))')}"
REPORT_DIR="${BYLINE_CONFORMANCE_REPORT_DIR:-$CI_TARGET_DIR/conformance}"
VENV="$CI_CACHE_DIR/venv"
REQUIREMENTS="$CI_DIR/conformance/requirements.txt"
# The checks asked of every response. Everything else schemathesis offers stays off, so that a
# failure here always means a response that contradicts the document or a server error.
CHECKS="not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"

case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
[ -x "$BIN" ] || ci_die "no Byline binary at $BIN (cargo build --release --bin byline)"
ci_need_cmds

# --- schemathesis, in a cached virtualenv, reinstalled only when requirements.txt changes ---
want="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/schemathesis" ] || [ "$(cat "$VENV/.byline-ci-requirements.sha256" 2>/dev/null)" != "$want" ]; then
    ci_log "creating $VENV"
    rm -rf "$VENV"
    mkdir -p "$CI_CACHE_DIR"
    if ! python3 -m venv "$VENV" 2>/dev/null; then
        rm -rf "$VENV"
        ci_apt_install python3-venv
        python3 -m venv "$VENV"
    fi
    "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$REQUIREMENTS"
    echo "$want" >"$VENV/.byline-ci-requirements.sha256"
fi
"$VENV/bin/schemathesis" --version

# --- clean-up, also on failure or interruption ---
WORK="$(mktemp -d "${TMPDIR:-/tmp}/byline-conformance.XXXXXX")"
PG_DB=
cleanup() {
    local rc=$?
    ci_stop_byline
    if [ -n "$PG_DB" ]; then
        psql "$PG_URL" -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null \
            && ci_log "dropped database $PG_DB" \
            || ci_log "could not drop database $PG_DB"
    fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$REPORT_DIR"
summary=()
failed=()

# run_backend NAME DATABASE_URL
run_backend() {
    local name="$1" db_url="$2" dir="$WORK/$1" token rc started=$SECONDS
    mkdir -p "$dir"
    rm -rf "${REPORT_DIR:?}/$name"
    ci_log "$name: starting $BIN"
    ci_start_byline "$BIN" "$db_url" "$dir"
    token="$(ci_login)"
    "$VENV/bin/python" "$CI_DIR/conformance/seed.py" "$BYLINE_URL" "$token" \
        "$CI_ADMIN_EMAIL" "$CI_ADMIN_PASSWORD" "$dir/schemathesis.toml"

    ci_log "$name: schemathesis against $BYLINE_URL/api-docs/openapi.json (seed $SEED, max examples $MAX_EXAMPLES)"
    set +e
    (
        cd "$dir" &&
            timeout --kill-after=10 900 "$VENV/bin/schemathesis" --config-file "$dir/schemathesis.toml" \
                run "$BYLINE_URL/api-docs/openapi.json" \
                --header "Authorization: Bearer $token" \
                --checks "$CHECKS" \
                --phases examples,coverage,fuzzing,stateful \
                --max-examples "$MAX_EXAMPLES" \
                --seed "$SEED" \
                --workers 2 \
                --request-timeout 10 \
                --generation-database none \
                --no-color \
                --report junit,json \
                --report-dir "$REPORT_DIR/$name" \
                --report-junit-path "$REPORT_DIR/$name/junit.xml" \
                --report-json-path "$REPORT_DIR/$name/report.json"
    )
    rc=$?
    set -e

    if ! kill -0 "$BYLINE_PID" 2>/dev/null; then
        ci_log "$name: Byline is no longer running; the end of its log:"
        tail -n 40 "$dir/byline.log" >&2
        rc=1
    fi
    if grep -q 'panicked' "$dir/byline.log"; then
        ci_log "$name: Byline logged a panic:"
        grep -A5 'panicked' "$dir/byline.log" | head -n 40 >&2
        rc=1
    fi
    ci_stop_byline

    local counts
    counts="$("$VENV/bin/python" - "$REPORT_DIR/$name/report.json" <<'EOF' || echo "no report"
import json, sys
r = json.load(open(sys.argv[1]))
o, t = r["operations"], r["test_cases"]
print(f"{o['tested']}/{o['total']} operations, {t['generated']} test cases, "
      f"{t['unique_failures']} unique failures, {len(r['errors'])} errors")
EOF
)"
    summary+=("$name: $counts, exit $rc, $((SECONDS - started)) s")
    [ "$rc" -eq 0 ] || failed+=("$name")
}

for backend in $BACKENDS; do
    case "$backend" in
    sqlite)
        run_backend sqlite "$WORK/sqlite/byline.db"
        ;;
    postgres)
        command -v psql >/dev/null || ci_apt_install postgresql-client
        psql "$PG_URL" -q -v ON_ERROR_STOP=1 -c 'SELECT 1' >/dev/null \
            || ci_die "PostgreSQL at $PG_URL cannot be reached"
        PG_DB="byline_conformance_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
        psql "$PG_URL" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$PG_DB\"" >/dev/null
        ci_log "created database $PG_DB"
        db_url="$(python3 - "$PG_URL" "$PG_DB" <<'EOF'
import sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
print(urllib.parse.urlunsplit(u._replace(path="/" + sys.argv[2])))
EOF
)"
        run_backend postgres "$db_url"
        ;;
    *)
        ci_die "unknown backend '$backend' in BYLINE_CONFORMANCE_BACKENDS"
        ;;
    esac
done

printf '\n==> conformance summary (seed %s; reports in %s)\n' "$SEED" "$REPORT_DIR"
printf '    %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    printf 'conformance FAILED on: %s (replay with BYLINE_CONFORMANCE_SEED=%s)\n' "${failed[*]}" "$SEED"
    exit 1
fi
echo "conformance passed on: $BACKENDS"
