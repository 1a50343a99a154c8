#!/usr/bin/env bash
# Checks that every response of a running Byline conforms to its own OpenAPI document, with
# schemathesis, on SQLite and then on PostgreSQL.
#
#   ci/conformance.sh [BYLINE_BINARY]
#
# BYLINE_BINARY defaults to ${CARGO_TARGET_DIR:-target}/release/byline.
# Environment (all optional):
#   BYLINE_TEST_POSTGRES_URL          server on which a fresh database is created and dropped
#                                     (default postgres://postgres@127.0.0.1/postgres)
#   BYLINE_CONFORMANCE_BACKENDS       "sqlite postgres" (default), or one of them
#   BYLINE_CONFORMANCE_MAX_EXAMPLES   test cases per operation and phase (default 200)
#   BYLINE_CONFORMANCE_SEED           seed, to replay a run (default: random, printed)
#   BYLINE_CONFORMANCE_REPORT_DIR     JUnit and JSON reports (default $CARGO_TARGET_DIR/conformance)
#
# Each backend: start Byline on a free 127.0.0.1 port with a known admin password and the demo
# article, log in as admin@localhost, create fixture articles (conformance/seed.py), then run
# schemathesis over every operation of the served document with the admin's bearer token. Exit
# status 1 on any failed check, any error, a crash or a panic.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BIN="${1:-$CI_TARGET_DIR/release/byline}"
PG_URL="${BYLINE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1/postgres}"
BACKENDS="${BYLINE_CONFORMANCE_BACKENDS:-sqlite postgres}"
MAX_EXAMPLES="${BYLINE_CONFORMANCE_MAX_EXAMPLES:-200}"
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
        if psql "$PG_URL" -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null; then
            ci_log "dropped database $PG_DB"
        else
            ci_log "could not drop database $PG_DB"
        fi
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

# Operations that can end the caller's own login: logout, a password change (which ends every
# session of the caller), and the admin's own account changed or reset through /users/{id}.
# They run last, in a pass of their own with a token of their own, so that they cannot take the
# credentials away from the other operations.
SESSION_ENDING_PATHS='^/api/v1/auth/logout$|^/api/v1/auth/me/password$|^/api/v1/users/\{id\}$'

# st_run DIR TOKEN REPORT_NAME [schemathesis options...]
st_run() {
    local dir="$1" token="$2" report="$3"
    shift 3
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
                --report junit,json,har \
                --report-junit-path "$REPORT_DIR/$report.junit.xml" \
                --report-json-path "$REPORT_DIR/$report.json" \
                --report-har-path "$dir/$report.har" \
                "$@"
    )
}

# run_backend NAME DATABASE_URL
run_backend() {
    local name="$1" db_url="$2" dir="$WORK/$1" token ending_token ending op rc=0 started=$SECONDS
    local exclude=() include=() reports=()
    mkdir -p "$dir"
    rm -f "$REPORT_DIR/$name".* "$REPORT_DIR/$name"-*
    ci_log "$name: starting $BIN"
    # Schemathesis sends thousands of requests from one address with one token: the rate limit
    # is counted on each of them but never reached.
    CI_BYLINE_ENV="BYLINE_RATE_LIMIT=1000000000" ci_start_byline "$BIN" "$db_url" "$dir"
    # Both tokens are taken before any fuzzing, which may lock the admin's email by failed logins.
    token="$(ci_login)"
    ending_token="$(ci_login)"
    "$VENV/bin/python" "$CI_DIR/conformance/seed.py" "$BYLINE_URL" "$token" "$dir/schemathesis.toml"
    curl -fsS "$BYLINE_URL/api-docs/openapi.json" -o "$dir/openapi.json"
    ending="$("$VENV/bin/python" "$CI_DIR/conformance/operations.py" "$dir/openapi.json" "$SESSION_ENDING_PATHS")"
    for op in $ending; do
        exclude+=(--exclude-operation-id "$op")
        include+=(--include-operation-id "$op")
    done

    ci_log "$name: schemathesis on $BYLINE_URL/api-docs/openapi.json (seed $SEED, max examples $MAX_EXAMPLES${ending:+, all but $ending})"
    st_run "$dir" "$token" "$name" "${exclude[@]}" || rc=1
    reports+=("$REPORT_DIR/$name.json")
    # Whether the main pass kept working credentials to its end (a fuzzed request may disable or
    # demote the admin); if not, many of its later requests only reached the 401/403 paths.
    local me
    me="$(curl -sS -o /dev/null -w '%{http_code}' "$BYLINE_URL/api/v1/auth/me" -H "Authorization: Bearer $token" || true)"
    if [ ${#include[@]} -gt 0 ]; then
        ci_log "$name: schemathesis on $ending alone, with a token of its own"
        st_run "$dir" "$ending_token" "$name-session-ending" "${include[@]}" || rc=1
        reports+=("$REPORT_DIR/$name-session-ending.json")
    fi

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
    counts="$("$VENV/bin/python" "$CI_DIR/conformance/summary.py" "${reports[@]}" -- "$dir"/*.har || echo "no report")"
    [ "$me" = 200 ] || counts="$counts; WARNING: the token stopped working during the run (GET /auth/me: $me)"
    summary+=("$name: $counts; exit $rc; $((SECONDS - started)) s")
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
