#!/usr/bin/env bash
# Starts a local S3-compatible server (moto, in server mode) for the media tests, and prints the
# lines that point the tests at it:
#
#   eval "$(bash ci/s3.sh)"     # exports BYLINE_TEST_S3_ENDPOINT and BYLINE_TEST_S3_PID
#   cargo test --test api media
#   kill "$BYLINE_TEST_S3_PID"
#
# moto is pinned below and installed into a cached virtualenv, reinstalled only when the pin
# changes. The server listens on a free 127.0.0.1 port, logs to a file in the cache directory
# and keeps everything in memory; it runs until it is killed.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MOTO="moto[server]==5.2.5"
VENV="$CI_CACHE_DIR/venv-moto"

ci_need_cmds
if [ ! -x "$VENV/bin/moto_server" ] || [ "$(cat "$VENV/.byline-ci-moto" 2>/dev/null)" != "$MOTO" ]; then
    ci_log "creating $VENV ($MOTO)"
    rm -rf "$VENV"
    mkdir -p "$CI_CACHE_DIR"
    if ! python3 -m venv "$VENV" 2>/dev/null; then
        rm -rf "$VENV"
        ci_apt_install python3-venv
        python3 -m venv "$VENV"
    fi
    "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input "$MOTO" >&2
    echo "$MOTO" >"$VENV/.byline-ci-moto"
fi

LOG="$CI_CACHE_DIR/moto.log"
for attempt in 1 2 3; do
    PORT="$(ci_free_port)"
    # Detached, so that it outlives this script; stdout stays free for the export lines.
    setsid "$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$LOG" 2>&1 </dev/null &
    PID=$!
    for _ in $(seq 1 300); do
        if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/" 2>/dev/null; then
            ci_log "moto listens on 127.0.0.1:$PORT (pid $PID, log $LOG)"
            echo "export BYLINE_TEST_S3_ENDPOINT=http://127.0.0.1:$PORT"
            echo "export BYLINE_TEST_S3_PID=$PID"
            exit 0
        fi
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
    done
    kill "$PID" 2>/dev/null || true
    ci_log "moto did not start on port $PORT (attempt $attempt); log:"
    cat "$LOG" >&2
done
ci_die "could not start moto"
