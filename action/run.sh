#!/usr/bin/env bash
# Runs perfgate for the composite action with the inputs given as PG_* environment variables.
set -uo pipefail

# mode: ab is its own script (perfgate ab).
[[ "${PG_MODE:-analyze}" == "ab" ]] && exec bash "$(dirname "$0")/ab.sh"

if [[ "${PG_MODE:-analyze}" == "comment" ]]; then
  args=(comment --from "$PG_VERDICT_FILE" --comment-key "$PG_COMMENT_KEY")
  [[ -n "${PG_PR_FILE:-}" ]] && args+=(--pr-file "$PG_PR_FILE")
  perfgate "${args[@]}"
  code=$?
  echo "exit-code=$code" >> "$GITHUB_OUTPUT"
  exit "$code"
fi

shopt -s nullglob globstar
files=()
# Word splitting and globbing of the files input are intended here.
# shellcheck disable=SC2206
for pattern in $PG_FILES; do files+=($pattern); done
if [[ ${#files[@]} -eq 0 ]]; then
  echo "::error title=perfgate::no result files match the files input: ${PG_FILES}"
  echo "exit-code=2" >> "$GITHUB_OUTPUT"
  exit 2
fi

args=(analyze --comment-key "$PG_COMMENT_KEY")
[[ -n "${PG_FAIL_ON:-}" ]] && args+=(--fail-on "$PG_FAIL_ON")
[[ -n "${PG_BASELINE:-}" ]] && args+=(--baseline "$PG_BASELINE")
[[ -n "${PG_BASELINE_REF:-}" ]] && args+=(--baseline-ref "$PG_BASELINE_REF")
[[ -n "${PG_CONFIG:-}" ]] && args+=(--config "$PG_CONFIG")

if [[ -n "${PG_VERDICT_FILE:-}" ]]; then
  # Only the verdict; annotations, comment and summary come from the main run below.
  GITHUB_ACTIONS=false PERFGATE_COMMENT=0 perfgate "${args[@]}" --output json "${files[@]}" > "$PG_VERDICT_FILE"
fi

[[ "${PG_COMMENT:-false}" == "true" ]] && args+=(--comment)
perfgate "${args[@]}" "${files[@]}"
code=$?
echo "exit-code=$code" >> "$GITHUB_OUTPUT"
exit "$code"
