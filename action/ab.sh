#!/usr/bin/env bash
# mode: ab — measures the PR's base and head alternately on this runner with `perfgate ab`.
# Inputs arrive as PG_* / PG_AB_* environment variables (never spliced into script text).
#
# The PR's build and benchmark commands are untrusted code. action.yml gives this step no token (the
# comment is posted by a later step, from the verdict file written here); the Actions file commands
# (GITHUB_ENV, GITHUB_OUTPUT, GITHUB_PATH, GITHUB_STATE) are removed from perfgate's environment, which
# `perfgate ab` scrubs again for the commands it runs; credentials that actions/checkout stored in
# .git/config are removed first.
set -euo pipefail

# shellcheck source=action/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PG_TITLE="perfgate ab"
out() { [[ -n "${GITHUB_OUTPUT:-}" ]] && echo "$1" >> "$GITHUB_OUTPUT"; return 0; }
fail() { pg_error "$1"; out "exit-code=2"; exit 2; }

base="${PG_AB_BASE:-}"
[[ -n "$base" ]] || fail "no base revision: set ab-base, or run on pull_request (the PR's base commit is the default)"
[[ -n "${PG_AB_COMMAND:-}" ]] || fail "ab-command is required with mode: ab"
[[ -n "${PG_AB_RESULTS:-}" ]] || fail "ab-results is required with mode: ab"
pg_valid_ref ab-base "$base"
[[ "${PG_AB_RUNS:-5}" =~ ^[0-9]+$ ]] || fail "ab-runs must be a number, not '${PG_AB_RUNS:-}'"

# A shallow checkout lacks the base commit: fetch just that one.
base="$(pg_have_commit "$base")" || fail "could not fetch the base revision ${PG_AB_BASE:-}"
pg_config_from_ref || { out "exit-code=2"; exit 2; }

# Credentials a checkout persisted (persist-credentials: true, the default) would be readable by the
# PR's code in .git/config: remove them (and any include that could hold them) before it runs.
while read -r key _; do
  [[ -n "$key" ]] || continue
  git config --local --unset-all "$key" || true
  pg_notice "removed $key from .git/config before running the pull request's code; check out with persist-credentials: false"
done < <(git config --local --get-regexp '^(http\..*\.extraheader|includeif\..*\.path)$' || true)
if git config --get-regexp '^http\..*\.extraheader$' >/dev/null; then
  fail "git configuration outside the repository holds an http extraheader (credentials); mode ab does not run the pull request's code next to it"
fi

args=(ab "--base=$base" "--runs=${PG_AB_RUNS:-5}" "--results=$PG_AB_RESULTS" "--comment-key=${PG_COMMENT_KEY:-default}")
[[ -n "${PG_AB_BUILD:-}" ]] && args+=("--build=$PG_AB_BUILD")
[[ -n "${PG_FAIL_ON:-}" ]] && args+=("--fail-on=$PG_FAIL_ON")
[[ -n "${PG_CONFIG:-}" ]] && args+=("--config=$PG_CONFIG")

# The JSON verdict to a file when the workflow wants it or a comment is to be posted (by the next step,
# which has the token); the table then reaches the log through the job summary.
verdict="${PG_VERDICT_FILE:-}"
if [[ -z "$verdict" && "${PG_COMMENT:-false}" == "true" ]]; then
  verdict="$(mktemp "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/perfgate-ab-verdict.XXXXXX")"
fi
[[ -z "$verdict" ]] || mkdir -p "$(dirname "$verdict")"

# perfgate gets no file commands and no token; it needs none, and the PR's commands inherit its env.
scrub=(env -u GITHUB_ENV -u GITHUB_OUTPUT -u GITHUB_PATH -u GITHUB_STATE -u GITHUB_TOKEN -u GH_TOKEN
       -u ACTIONS_RUNTIME_TOKEN -u ACTIONS_ID_TOKEN_REQUEST_TOKEN -u ACTIONS_ID_TOKEN_REQUEST_URL)
code=0
if [[ -n "$verdict" ]]; then
  "${scrub[@]}" perfgate "${args[@]}" --output json -- bash -c "$PG_AB_COMMAND" > "$verdict" || code=$?
else
  "${scrub[@]}" perfgate "${args[@]}" -- bash -c "$PG_AB_COMMAND" || code=$?
fi
out "exit-code=$code"
if [[ "${PG_COMMENT:-false}" == "true" && $code -lt 2 && -s "$verdict" ]]; then
  out "ab-verdict=$verdict"
fi
exit "$code"
