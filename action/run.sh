#!/usr/bin/env bash
# Runs perfgate for the composite action with the inputs given as PG_* environment variables.
# Modes: analyze (default), comment (the privileged half of the fork-safe pair), baseline (record on push),
# ab (perfgate ab: base and head interleaved on this runner).
# Writes exit-code=N to $GITHUB_OUTPUT and exits with perfgate's code (0 pass, 1 gate failed, 2 error).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=action/lib.sh
source "$here/lib.sh"
output() { if [[ -n "${GITHUB_OUTPUT:-}" ]]; then echo "$1" >> "$GITHUB_OUTPUT"; fi; }
fail() { pg_error "$1"; output "exit-code=${2:-2}"; exit "${2:-2}"; }

# Runs perfgate, records its exit code as the step output and exits with it.
finish() {
  local code=0
  perfgate "$@" || code=$?
  output "exit-code=$code"
  exit "$code"
}

mode="${PG_MODE:-analyze}"
case "$mode" in
  baseline)
    exec bash "$here/baseline.sh" ;;
  ab)
    exec bash "$here/ab.sh" ;;
  comment)
    [[ -n "${PG_VERDICT_FILE:-}" ]] || fail "mode comment needs the verdict-file input"
    [[ -f "$PG_VERDICT_FILE" ]] || fail "no verdict at $PG_VERDICT_FILE: did the measuring run upload its artifact?"
    args=(comment --from "$PG_VERDICT_FILE" --comment-key "${PG_COMMENT_KEY:-default}")
    if [[ -n "${PG_PR_FILE:-}" ]]; then
      [[ -f "$PG_PR_FILE" ]] || fail "no PR number at $PG_PR_FILE: did the measuring run upload its artifact?"
      args+=(--pr-file "$PG_PR_FILE")
    fi
    finish "${args[@]}" ;;
  analyze) ;;
  *) fail "unknown mode '$mode' (analyze, comment, baseline or ab)" ;;
esac

pg_files "${PG_FILES:-}"
[[ ${#files[@]} -gt 0 ]] || fail "no result files match the files input: ${PG_FILES:-}"

[[ -z "${PG_BASELINE_REF:-}" ]] || pg_valid_ref baseline-ref "$PG_BASELINE_REF"
[[ -z "${PG_BASELINE_BRANCH:-}" ]] || pg_valid_ref baseline-branch "$PG_BASELINE_BRANCH"
pg_config_from_ref || { output "exit-code=2"; exit 2; }

# Values as `--flag=value`: one argument, never read as another option.
args=(analyze "--comment-key=${PG_COMMENT_KEY:-default}")
[[ -n "${PG_FAIL_ON:-}" ]] && args+=("--fail-on=$PG_FAIL_ON")
[[ -n "${PG_BASELINE:-}" ]] && args+=("--baseline=$PG_BASELINE")
[[ -n "${PG_BASELINE_REF:-}" ]] && args+=("--baseline-ref=$PG_BASELINE_REF")
[[ -n "${PG_CONFIG:-}" ]] && args+=("--config=$PG_CONFIG")

# Baselines kept on a data branch (mode baseline, store branch): read them from the remote branch into a
# temporary directory; the workspace is not changed.
if [[ -n "${PG_BASELINE_BRANCH:-}" ]]; then
  dir="${PERFGATE_BASELINES_DIR:-baselines}"
  data="$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/perfgate-data.XXXXXX")"
  # shellcheck source=action/git-auth.sh
  source "$here/git-auth.sh"
  git_auth "${PG_REMOTE:-origin}"
  if git ls-remote --exit-code --heads "${PG_REMOTE:-origin}" "refs/heads/$PG_BASELINE_BRANCH" >/dev/null; then
    git fetch --quiet --no-tags "${PG_REMOTE:-origin}" "refs/heads/$PG_BASELINE_BRANCH"
    git archive FETCH_HEAD -- "$dir" | tar -x -C "$data"
  else
    pg_notice "no branch $PG_BASELINE_BRANCH yet: it is created by the first run of mode baseline on the default branch"
  fi
  export PERFGATE_BASELINES_DIR="$data/$dir"
fi

if [[ -n "${PG_VERDICT_FILE:-}" ]]; then
  mkdir -p "$(dirname "$PG_VERDICT_FILE")"
  # Only the verdict; annotations, comment and summary come from the main run below. Exit 1 (gate
  # failed) still writes the verdict; an input error stops here.
  code=0
  GITHUB_ACTIONS=false PERFGATE_COMMENT=0 perfgate "${args[@]}" --output json -- "${files[@]}" > "$PG_VERDICT_FILE" || code=$?
  if [[ $code -ge 2 ]]; then
    output "exit-code=$code"
    exit "$code"
  fi
fi

[[ "${PG_COMMENT:-false}" == "true" ]] && args+=(--comment)
finish "${args[@]}" -- "${files[@]}"
