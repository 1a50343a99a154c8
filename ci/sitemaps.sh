#!/usr/bin/env bash
# The sitemaps of the release binary, validated by xmllint against the sitemaps.org schemas
# and a schema of the Google News extension (ci/sitemaps/, see its README for sources), after
# publishing articles with hostile titles next to the demo article.
#
#   ci/sitemaps.sh [BYLINE_BINARY]
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BIN="${1:-$CI_TARGET_DIR/release/byline}"
SCHEMAS="$CI_DIR/sitemaps"

ci_need_cmds
command -v xmllint >/dev/null || ci_apt_install libxml2-utils

WORK="$(mktemp -d "${TMPDIR:-/tmp}/byline-sitemaps.XXXXXX")"
trap 'ci_stop_byline; rm -rf "$WORK"' EXIT
CI_BYLINE_ENV="BYLINE_SITE_URL=https://news.example BYLINE_PUBLISHER_NAME=Byline&CI" \
    ci_start_byline "$BIN" "$WORK/byline.db" "$WORK"
TOKEN="$(ci_login)"

for title in '<script>alert(1)</script> & ]]> "quoted"' "Zürich: Ökonomen warnen — 'vorsichtig'"; do
    body="$(python3 -c 'import json, sys; print(json.dumps({"title": sys.argv[1], "language": "de-CH"}))' "$title")"
    id="$(curl -fsS "$BYLINE_URL/api/v1/articles" -H "Authorization: Bearer $TOKEN" \
        -H 'Content-Type: application/json' -d "$body" \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')" \
        || ci_die "could not create an article"
    curl -fsS -o /dev/null -X POST "$BYLINE_URL/api/v1/articles/$id/publish" \
        -H "Authorization: Bearer $TOKEN" || ci_die "could not publish $id"
done

validate() { # PATH SCHEMA EXPECTED_URLS
    local path="$1" schema="$2" want="$3" file got
    file="$WORK/$(basename "$path")"
    curl -fsS "$BYLINE_URL$path" -o "$file" || ci_die "GET $path failed"
    xmllint --noout --schema "$SCHEMAS/$schema" "$file" 2>"$WORK/xmllint.log" \
        || { cat "$WORK/xmllint.log" >&2; ci_die "$path does not validate against $schema"; }
    got="$(grep -o '<loc>' "$file" | wc -l)"
    [ "$got" -eq "$want" ] || ci_die "$path lists $got URLs, expected $want"
    ci_log "$path: valid against $schema, $got URLs"
}

# The demo article and the two above, all published just now.
validate /sitemaps/news.xml news-sitemap.xsd 3
validate /sitemaps/articles.xml sitemap.xsd 3
validate /sitemaps/articles-1.xml sitemap.xsd 3
