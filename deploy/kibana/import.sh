#!/usr/bin/env bash
# Imports the peacewatch saved objects (data views, searches, Lens charts, dashboard) into Kibana.
#
# Environment (all optional):
#   KIBANA_URL          Kibana base URL; else PEACEWATCH_KIBANA_URL; else http://127.0.0.1:5601
#   KIBANA_SPACE        import into this space instead of the default one
#   KIBANA_API_KEY      sent as "Authorization: ApiKey ..." (base64 id:key, as Kibana prints it)
#   KIBANA_USERNAME / KIBANA_PASSWORD   basic auth, when no API key is given
#   PEACEWATCH_PREFIX   index prefix; other than "peacewatch" the objects are rewritten with
#                       render.py first (needs python3)
#   PEACEWATCH_NDJSON   the file to import (default: peacewatch.ndjson next to this script)
#   KIBANA_WAIT_SECONDS wait up to this long for Kibana to report "available" (default 0)
#
# Existing objects with the same ids are overwritten (overwrite=true), so running it twice is
# harmless. Credentials never appear on a command line or in the output: curl reads them from
# its standard input (--config -).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
url="${KIBANA_URL:-${PEACEWATCH_KIBANA_URL:-http://127.0.0.1:5601}}"
url="${url%/}"
space="${KIBANA_SPACE:-}"
prefix="${PEACEWATCH_PREFIX:-peacewatch}"
ndjson="${PEACEWATCH_NDJSON:-$here/peacewatch.ndjson}"
wait_seconds="${KIBANA_WAIT_SECONDS:-0}"

die() { echo "import.sh: $*" >&2; exit 1; }

[ -r "$ndjson" ] || die "cannot read $ndjson (set PEACEWATCH_NDJSON to the saved objects file)"
command -v curl >/dev/null || die "curl is needed and was not found"

base="$url"
[ -n "$space" ] && base="$url/s/$space"

# curl options that carry secrets, written to curl's standard input rather than its arguments.
auth_config() {
  if [ -n "${KIBANA_API_KEY:-}" ]; then
    printf 'header = "Authorization: ApiKey %s"\n' "$KIBANA_API_KEY"
  elif [ -n "${KIBANA_USERNAME:-}" ]; then
    printf 'user = "%s:%s"\n' "$KIBANA_USERNAME" "${KIBANA_PASSWORD:-}"
  fi
}

if [ "$wait_seconds" -gt 0 ]; then
  deadline=$(( $(date +%s) + wait_seconds ))
  until auth_config | curl -fsS --config - --max-time 5 "$url/api/status" 2>/dev/null | grep -q '"level":"available"'; do
    [ "$(date +%s)" -lt "$deadline" ] || die "Kibana at $url was not available within ${wait_seconds}s"
    sleep 5
  done
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if [ "$prefix" != "peacewatch" ]; then
  command -v python3 >/dev/null || die "PEACEWATCH_PREFIX=$prefix needs python3 to rewrite the objects; run render.py elsewhere and set PEACEWATCH_NDJSON"
  python3 "$here/render.py" --prefix "$prefix" --input "$ndjson" --output "$tmp/objects.ndjson"
else
  cp "$ndjson" "$tmp/objects.ndjson"
fi

echo "Importing $(grep -c . "$tmp/objects.ndjson") saved objects (prefix $prefix) into $base ..."
status=0
auth_config | curl -sS --config - --max-time 120 -o "$tmp/response.json" -w '%{http_code}' \
  -X POST "$base/api/saved_objects/_import?overwrite=true" \
  -H 'kbn-xsrf: true' \
  -F "file=@$tmp/objects.ndjson;filename=peacewatch.ndjson" >"$tmp/http_code" || status=$?
code="$(cat "$tmp/http_code" 2>/dev/null || true)"
[ "$status" -eq 0 ] || die "could not reach Kibana at $base (curl exit $status); is it running? set KIBANA_URL"
if [ "$code" != "200" ] || ! grep -q '"success":true' "$tmp/response.json"; then
  echo "import.sh: Kibana answered HTTP $code:" >&2
  cat "$tmp/response.json" >&2; echo >&2
  die "the import failed; see the errors above"
fi
echo "Imported. Dashboard: $base/app/dashboards#/view/${prefix}-dashboard"
