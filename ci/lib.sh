# Shared helpers for the scripts in ci/. Source it; do not run it.
# shellcheck shell=bash

# These are for the scripts that source this file.
# shellcheck disable=SC2034
CI_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck disable=SC2034
REPO_DIR="$(cd "$CI_DIR/.." && pwd)"
# shellcheck disable=SC2034
CI_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO_DIR/target}"
# shellcheck disable=SC2034
CI_CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/byline-ci"

# Known credentials for the throwaway servers the scripts start. Never used elsewhere.
CI_ADMIN_EMAIL="admin@localhost"
CI_ADMIN_PASSWORD="ci-admin-password-$$-not-secret"
CI_JWT_SECRET="ci-jwt-secret-for-throwaway-servers-only-0123456789"

ci_log() { printf '[%s] %s\n' "$(basename "$0" .sh)" "$*" >&2; }
ci_die() { ci_log "FAIL: $*"; exit 1; }

# apt_install PKG...: install Debian packages (as root, as CI runs), once.
ci_apt_install() {
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    ci_log "installing Debian packages: $*"
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ci_need_cmds() {
    local missing=() cmd
    for cmd in curl python3; do command -v "$cmd" >/dev/null || missing+=("$cmd"); done
    if [ ${#missing[@]} -gt 0 ]; then
        ci_apt_install "${missing[@]}"
    fi
}

# Node.js 20.19+ and the pinned npm packages of ci/package-lock.json, in ci/node_modules.
# Reinstalls only when the lock file changed since the last install.
ci_node_modules() {
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        ci_apt_install nodejs npm
    fi
    # shellcheck disable=SC2016
    node -e '
        const [maj, min] = process.versions.node.split(".").map(Number);
        if (maj < 20 || (maj === 20 && min < 19)) {
            console.error(`Node.js ${process.versions.node} is too old: ci/ needs 20.19 or newer`);
            process.exit(1);
        }' || exit 1
    # The stamp names the lock file's digest and this checkout's path, so that a node_modules
    # copied or checked out from elsewhere is installed afresh.
    local stamp="$CI_DIR/node_modules/.byline-ci-lock.sha256"
    local want
    want="$(sha256sum "$CI_DIR/package-lock.json" | cut -d' ' -f1) $CI_DIR"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        ci_log "npm ci (ci/package-lock.json)"
        (cd "$CI_DIR" && npm ci --no-audit --no-fund --loglevel=error) >&2
        echo "$want" >"$stamp"
    fi
}

ci_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# ci_start_byline BINARY DATABASE_URL WORK_DIR
# Starts `BINARY serve` in WORK_DIR (so that no .env file is picked up) on a free 127.0.0.1 port,
# with a known admin password, the demo article and a fixed JWT secret, logging to
# WORK_DIR/byline.log, and waits for /readyz. CI_BYLINE_ENV may add settings (NAME=value ...). Sets BYLINE_PID, BYLINE_PORT and BYLINE_URL.
ci_start_byline() {
    local bin="$1" db="$2" dir="$3" attempt log="$3/byline.log"
    case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
    [ -x "$bin" ] || ci_die "no Byline binary at $bin (build it with: cargo build --release --bin byline)"
    for attempt in 1 2 3; do
        BYLINE_PORT="$(ci_free_port)"
        BYLINE_URL="http://127.0.0.1:$BYLINE_PORT"
        (
            cd "$dir" || exit 1
            # Only the settings below: none inherited from the caller's environment.
            for var in $(compgen -e | grep '^BYLINE_'); do unset "$var"; done
            # ...and those a script asks for, as NAME=value words in CI_BYLINE_ENV.
            for setting in ${CI_BYLINE_ENV:-}; do export "${setting?}"; done
            DATABASE_URL="$db" \
            BYLINE_BIND="127.0.0.1:$BYLINE_PORT" \
            BYLINE_ADMIN_EMAIL="$CI_ADMIN_EMAIL" \
            BYLINE_ADMIN_PASSWORD="$CI_ADMIN_PASSWORD" \
            BYLINE_JWT_SECRET="$CI_JWT_SECRET" \
            BYLINE_DEMO=1 \
            RUST_LOG=warn \
            exec "$bin" serve >>"$log" 2>&1 </dev/null
        ) &
        BYLINE_PID=$!
        if ci_wait_ready 60; then
            return 0
        fi
        ci_stop_byline
        ci_log "Byline did not become ready (attempt $attempt); its log:"
        tail -n 20 "$log" >&2
    done
    ci_die "could not start Byline from $bin"
}

# Waits up to $1 seconds for /readyz to answer 200 while the process is alive.
ci_wait_ready() {
    local deadline=$((SECONDS + $1))
    while [ $SECONDS -lt $deadline ]; do
        kill -0 "$BYLINE_PID" 2>/dev/null || return 1
        if curl -fsS -o /dev/null --max-time 2 "$BYLINE_URL/readyz" 2>/dev/null; then
            return 0
        fi
        sleep 0.2
    done
    return 1
}

ci_stop_byline() {
    if [ -n "${BYLINE_PID:-}" ] && kill -0 "$BYLINE_PID" 2>/dev/null; then
        kill "$BYLINE_PID" 2>/dev/null || true
        local _
        for _ in $(seq 1 50); do
            kill -0 "$BYLINE_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$BYLINE_PID" 2>/dev/null || true
        wait "$BYLINE_PID" 2>/dev/null || true
    fi
    BYLINE_PID=
}

# Prints an access token for the admin of the server at $BYLINE_URL.
ci_login() {
    local body
    body="$(curl -fsS --max-time 10 "$BYLINE_URL/api/v1/auth/login" \
        -H 'Content-Type: application/json' \
        -d "{\"email\": \"$CI_ADMIN_EMAIL\", \"password\": \"$CI_ADMIN_PASSWORD\"}")" \
        || ci_die "POST /api/v1/auth/login failed"
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])' <<<"$body" \
        || ci_die "no access_token in the login response: $body"
}
