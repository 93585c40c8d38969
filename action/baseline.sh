#!/usr/bin/env bash
# `mode: baseline` of the action: on a push to the default branch (an allow-list, below), records the
# result files as the next snapshot of a baseline (`perfgate baseline create NAME --append`) and pushes it to the remote:
#   store=branch  (default) to a data branch (PG_DATA_BRANCH, default perfgate-data) holding only the
#                 baselines directory; the default branch is never written, branch protection is no obstacle
#   store=commit  as a commit on the branch that was pushed (needs `contents: write` and a branch that the
#                 token may push to)
# The snapshot is recorded in a separate worktree on top of the remote branch's tip; when the push is
# rejected because another run pushed first, it is recorded again on the new tip and pushed again, so
# two merges at once both keep their snapshot. The workspace itself is never changed.
set -euo pipefail

name="${PG_BASELINE_NAME:-main}"
store="${PG_STORE:-branch}"
keep="${PG_KEEP:-}"
dir="${PERFGATE_BASELINES_DIR:-baselines}"
remote="${PG_REMOTE:-origin}"
attempts="${PG_PUSH_ATTEMPTS:-6}"

# shellcheck source=action/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
refuse() { pg_error "$1"; if [[ -n "${GITHUB_OUTPUT:-}" ]]; then echo "exit-code=2" >> "$GITHUB_OUTPUT"; fi; exit 2; }

# An allow-list: a snapshot is recorded only on a push to the default branch (or a branch listed in
# baseline-branches), or by workflow_dispatch / schedule there. Every other event (pull_request,
# issue_comment, merge_group, workflow_run, a push to another branch or a tag, ...) is refused: its
# results must not become the baseline.
event="${GITHUB_EVENT_NAME:-}"
ref="${GITHUB_REF:-}"
listed="${PG_BASELINE_BRANCHES:-}"
read -r -d '' -a allowed <<< "${listed//,/ }" || true
if [[ ${#allowed[@]} -eq 0 && -n "${PG_DEFAULT_BRANCH:-}" ]]; then allowed=("$PG_DEFAULT_BRANCH"); fi
# GitHub runs scheduled workflows on the default branch only.
if [[ ${#allowed[@]} -eq 0 && "$event" == schedule ]]; then allowed=("${ref#refs/heads/}"); fi
case "$event" in
  push | workflow_dispatch | schedule) ;;
  *) refuse "mode baseline records on push, workflow_dispatch or schedule on the default branch, not on ${event:-an unknown event}: only those results may become the baseline" ;;
esac
if [[ "$ref" != refs/heads/* ]]; then
  refuse "mode baseline records on a branch, not on ${ref:-an unknown ref}"
fi
branch="${ref#refs/heads/}"
if [[ ${#allowed[@]} -eq 0 ]]; then
  refuse "mode baseline cannot tell the default branch (the event names none); list the branches to record on in baseline-branches"
fi
ok=false
for b in "${allowed[@]}"; do [[ "$b" == "$branch" ]] && ok=true; done
if [[ "$ok" != true ]]; then
  refuse "mode baseline records on ${allowed[*]}, not on branch $branch (set baseline-branches to record there)"
fi

# The data branch keeps enough history for change points (~50); baselines/ in the default branch stays small.
case "$store" in
  branch) target="${PG_DATA_BRANCH:-perfgate-data}"; keep="${keep:-50}" ;;
  commit) target="${PG_BRANCH:-${GITHUB_REF_NAME:-}}"; keep="${keep:-20}" ;;
  *) refuse "store must be 'branch' or 'commit', not '$store'" ;;
esac
[[ -n "$target" ]] || refuse "no branch to commit the baseline to (GITHUB_REF_NAME is empty)"
pg_valid_ref "the branch to store the baseline on" "$target"
if [[ "$dir" == /* || "$dir" == *..* || "$dir" == -* ]]; then
  refuse "baselines-dir must be a relative path inside the repository, not '$dir'"
fi
[[ "$keep" =~ ^[0-9]+$ ]] || refuse "keep must be a number, not '$keep'"

# Result files: whitespace-separated patterns, made absolute (perfgate runs in the workspace).
pg_files "${PG_FILES:-}"
[[ ${#files[@]} -gt 0 ]] || refuse "no result files match the files input: ${PG_FILES:-}"
for i in "${!files[@]}"; do [[ "${files[$i]}" == /* ]] || files[i]="$PWD/${files[$i]}"; done

# shellcheck source=action/git-auth.sh
source "$(dirname "${BASH_SOURCE[0]}")/git-auth.sh"
git_auth "$remote"
committer=(-c "user.name=${PG_COMMITTER_NAME:-github-actions[bot]}"
           -c "user.email=${PG_COMMITTER_EMAIL:-41898282+github-actions[bot]@users.noreply.github.com}"
           -c commit.gpgsign=false)

head="$(git rev-parse HEAD)"
work="$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/perfgate-baseline.XXXXXX")"
# shellcheck disable=SC2329 # called by the trap
cleanup() { git worktree remove --force "$work" >/dev/null 2>&1 || rm -rf "$work"; }
trap cleanup EXIT

for attempt in $(seq 1 "$attempts"); do
  git worktree remove --force "$work" >/dev/null 2>&1 || true
  rm -rf "$work"
  if git ls-remote --exit-code --heads "$remote" "refs/heads/$target" >/dev/null; then
    git fetch --quiet --no-tags "$remote" "refs/heads/$target"
    tip="$(git rev-parse FETCH_HEAD)"
  elif [[ "$store" == branch ]]; then
    # A new data branch: its first commit has an empty tree and no parent.
    empty="$(git hash-object -t tree /dev/null)"
    tip="$(git "${committer[@]}" commit-tree "$empty" -m "perfgate: data branch for baselines")"
  else
    refuse "branch '$target' does not exist on $remote"
  fi
  git worktree add --quiet --detach "$work" "$tip"
  # A re-run of the same push: the latest snapshot already names this commit, so record nothing twice.
  if [[ -f "$work/$dir/$name.json" ]] && grep -Eq "\"commit\": *\"$head\"" "$work/$dir/$name.json"; then
    pg_say "perfgate: baseline '$name' at ${head:0:12} is already on $target; nothing to push"
    if [[ -n "${GITHUB_OUTPUT:-}" ]]; then echo "exit-code=0" >> "$GITHUB_OUTPUT"; fi
    exit 0
  fi
  # Recorded in the workspace, so the snapshot names the measured commit; stored in the worktree.
  # Exit 1: recorded, but it started a critical step and the policy's fail_on_critical_step is on. The
  # snapshot is pushed all the same; the step fails afterwards.
  created=0
  perfgate baseline create --append --keep "$keep" --baselines-dir "$work/$dir" -- "$name" "${files[@]}" || created=$?
  if [[ "$created" -ne 0 && "$created" -ne 1 ]]; then exit "$created"; fi
  git -C "$work" add -A -- "$dir"
  if git -C "$work" diff --cached --quiet; then
    # A re-run that recorded byte for byte the same snapshot (same commit, same second).
    pg_say "perfgate: baseline '$name' at ${head:0:12} is already on $target; nothing to push"
    if [[ -n "${GITHUB_OUTPUT:-}" ]]; then echo "exit-code=0" >> "$GITHUB_OUTPUT"; fi
    exit 0
  fi
  git -C "$work" "${committer[@]}" commit --quiet -m "perfgate: baseline $name at ${head:0:12} [skip ci]"
  if git -C "$work" push --quiet "$remote" "HEAD:refs/heads/$target"; then
    pg_say "perfgate: baseline '$name' at ${head:0:12} pushed to $target (attempt $attempt)"
    if [[ -n "${GITHUB_OUTPUT:-}" ]]; then echo "exit-code=$created" >> "$GITHUB_OUTPUT"; fi
    exit "$created"
  fi
  pg_say "perfgate: push to $target rejected (another run pushed first?); recording again on the new tip" >&2
  sleep "$(( attempt + RANDOM % 3 ))"
done
pg_error "could not push the baseline to $target after $attempts attempts"
exit 1
