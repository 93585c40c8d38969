#!/usr/bin/env bash
# mode: ab — measures the PR's base and head alternately on this runner with `perfgate ab`.
# Inputs arrive as PG_* / PG_AB_* environment variables (never spliced into script text).
set -euo pipefail

out() { [[ -n "${GITHUB_OUTPUT:-}" ]] && echo "$1" >> "$GITHUB_OUTPUT"; return 0; }
fail() { echo "::error title=perfgate ab::$1"; out "exit-code=2"; exit 2; }

base="${PG_AB_BASE:-}"
[[ -n "$base" ]] || fail "no base revision: set ab-base, or run on pull_request (the PR's base commit is the default)"
[[ -n "${PG_AB_COMMAND:-}" ]] || fail "ab-command is required with mode: ab"
[[ -n "${PG_AB_RESULTS:-}" ]] || fail "ab-results is required with mode: ab"

# A shallow checkout lacks the base commit: fetch just that one.
if ! git rev-parse --verify --quiet "${base}^{commit}" >/dev/null; then
  git fetch --no-tags --quiet --depth=1 origin "$base" || fail "could not fetch the base revision $base"
  git rev-parse --verify --quiet "${base}^{commit}" >/dev/null || base=FETCH_HEAD
fi

args=(ab --base "$base" --runs "${PG_AB_RUNS:-5}" --results "$PG_AB_RESULTS" --comment-key "${PG_COMMENT_KEY:-default}")
[[ -n "${PG_AB_BUILD:-}" ]] && args+=(--build "$PG_AB_BUILD")
[[ -n "${PG_FAIL_ON:-}" ]] && args+=(--fail-on "$PG_FAIL_ON")
[[ -n "${PG_CONFIG:-}" ]] && args+=(--config "$PG_CONFIG")
[[ "${PG_COMMENT:-false}" == "true" ]] && args+=(--comment)

if [[ -n "${PG_VERDICT_FILE:-}" ]]; then
  # One measurement, two renderings: the JSON verdict to the file, the table to the log via the summary.
  args+=(--output json)
  mkdir -p "$(dirname "$PG_VERDICT_FILE")"
fi
code=0
if [[ -n "${PG_VERDICT_FILE:-}" ]]; then
  perfgate "${args[@]}" -- bash -c "$PG_AB_COMMAND" > "$PG_VERDICT_FILE" || code=$?
else
  perfgate "${args[@]}" -- bash -c "$PG_AB_COMMAND" || code=$?
fi
out "exit-code=$code"
exit "$code"
