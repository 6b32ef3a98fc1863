#!/usr/bin/env bash
# The console in a real browser: serves a demo world (quanzi seed) with the repository's plugins
# and experiments, posts a <script> as a user, and runs scripts/console_browser_test.py (Selenium,
# headless Chromium) against it. `make test` runs it; `make console-screenshots` runs it with
# SCREENSHOTS_DIR=docs/images to refresh the README's pictures.
#
# Needs chromium and chromium-driver (Debian; `make browser-deps` installs them) and Python's
# selenium, which this script installs into var/venv-selenium on first use (PyPI).
#
# Usage: scripts/console_browser_test.sh [path/to/quanzi]      (default: .build/debug/quanzi)
set -euo pipefail

QUANZI=${1:-.build/debug/quanzi}
PORT=${PORT:-18531}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
venv="$root/var/venv-selenium"

if ! "$venv/bin/python" -c "import selenium" 2>/dev/null; then
    echo "installing selenium into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "selenium>=4.20,<5"
fi

# shellcheck source=scripts/server_lib.sh
. "$here/server_lib.sh"
server_scratch console_browser_test

db="$work/console.sqlite"
flags=(--db "$db" --plugins "$root/plugins" --experiments "$root/experiments")
"$QUANZI" seed "${flags[@]}" --users 2000 >/dev/null
admin=$("$QUANZI" token 1 --admin "${flags[@]}")
user=$("$QUANZI" token 2 "${flags[@]}")
url="http://127.0.0.1:$PORT"

"$QUANZI" serve "${flags[@]}" --port "$PORT" >"$work/serve.log" 2>&1 &
server=$!
wait_healthy "$url" || fail "the server did not start"

# A post whose text is a script, by the first demo user campus-diary lets post.
text="<script>alert('owned')</script> hello"
post_id=""
for id in $(seq 2 40); do
    token=$("$QUANZI" token "$id" "${flags[@]}")
    body=$(curl -s -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -d "{\"body\": \"<script>alert('owned')</script> hello\"}" "$url/v1/circles/campus-diary/posts" || true)
    post_id=$(printf '%s' "$body" | python3 -c 'import json,sys
try: print(json.load(sys.stdin).get("id", ""))
except Exception: print("")')
    [ -n "$post_id" ] && break
done
[ -n "$post_id" ] || fail "no demo user could post in campus-diary"

[ -z "${SCREENSHOTS_DIR:-}" ] || mkdir -p "$SCREENSHOTS_DIR"
CONSOLE_URL="$url" ADMIN_TOKEN="$admin" USER_TOKEN="$user" SCRIPT_POST_ID="$post_id" SCRIPT_POST_TEXT="$text" \
    SCREENSHOTS_DIR="${SCREENSHOTS_DIR:-}" "$venv/bin/python" "$here/console_browser_test.py" || fail "the browser test failed"
