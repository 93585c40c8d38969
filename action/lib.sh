#!/usr/bin/env bash
# Sourced by the Action's scripts: messages that cannot carry a workflow command, the result-file list,
# ref validation, the base branch's policy file, and the switch for the test hooks.

# A value inside a workflow command's message: `%`, CR and LF percent-encoded as the runner expects, so
# an input holding a line break cannot start a second command.
pg_escape() {
  local s="${1//%/%25}"
  s="${s//$'\r'/%0D}"
  printf '%s' "${s//$'\n'/%0A}"
}

# A plain log line with untrusted parts: CR and LF shown as \r and \n, so it stays one line.
pg_say() {
  local s="$*"
  s="${s//$'\r'/\\r}"
  printf '%s\n' "${s//$'\n'/\\n}"
}

# ::error:: / ::notice:: with the message escaped. PG_TITLE names the script (default perfgate).
pg_error() { printf '::error title=%s::%s\n' "${PG_TITLE:-perfgate}" "$(pg_escape "$*")"; }
pg_notice() { printf '::notice title=%s::%s\n' "${PG_TITLE:-perfgate}" "$(pg_escape "$*")"; }
pg_warning() { printf '::warning title=%s::%s\n' "${PG_TITLE:-perfgate}" "$(pg_escape "$*")"; }

# The test hooks (PERFGATE_DOWNLOAD_BASE, PERFGATE_REPOSITORY, PERFGATE_CARGO, plain http to
# 127.0.0.1) are honoured only with PERFGATE_TEST_HOOKS=1 and outside a real runner: every runner sets
# RUNNER_ENVIRONMENT (github-hosted or self-hosted), and a workflow cannot clear a RUNNER_ variable.
pg_test_hooks() { [[ "${PERFGATE_TEST_HOOKS:-}" == 1 && -z "${RUNNER_ENVIRONMENT:-}" ]]; }

# Fills the array `files` from the whitespace-separated patterns in $1. Each pattern is globbed once
# and never word-split again, so a file name with spaces or one that looks like an option stays one
# argument (callers pass the list after `--`). A pattern without glob characters is kept as given,
# so a missing file is named by perfgate instead of vanishing.
pg_files() {
  local patterns pattern matches
  files=()
  read -r -d '' -a patterns <<< "$1" || true
  # From here on, the glob's results are not split on spaces.
  local IFS=''
  shopt -s nullglob globstar
  for pattern in "${patterns[@]}"; do
    if [[ "$pattern" != *[\*\?\[]* ]]; then
      files+=("$pattern")
      continue
    fi
    # shellcheck disable=SC2206
    matches=($pattern)
    files+=("${matches[@]}")
  done
  shopt -u nullglob globstar
}

# Exits unless $2 is a branch, tag or commit name git accepts as a ref (never an option: no leading
# `-`). $1 names the input in the error.
pg_valid_ref() {
  local what="$1" ref="$2"
  if [[ -z "$ref" || "$ref" == -* ]] || ! git check-ref-format --allow-onelevel "$ref" 2>/dev/null; then
    pg_error "$what must be a branch, tag or commit name, not '$ref'"
    if [[ -n "${GITHUB_OUTPUT:-}" ]]; then echo "exit-code=2" >> "$GITHUB_OUTPUT"; fi
    exit 2
  fi
}

# Makes sure commit $1 (a validated ref) is in the repository, fetching only it from origin when a
# shallow checkout lacks it. Prints the commit id; fails when it cannot be had.
pg_have_commit() {
  local ref="$1"
  if ! git rev-parse --verify --quiet "${ref}^{commit}" 2>/dev/null; then
    git fetch --no-tags --quiet --depth=1 "${PG_REMOTE:-origin}" "$ref" >&2 || return 1
    git rev-parse --verify --quiet "${ref}^{commit}" 2>/dev/null \
      || git rev-parse --verify --quiet FETCH_HEAD
  fi
}

# With config-ref set, the policy file comes from that commit (`base`: the pull request's base,
# PG_BASE_SHA), not from the checkout, whose perfgate.toml a pull request could edit (`fail_on =
# "never"`). Sets PG_CONFIG to a copy in RUNNER_TEMP; a base without the file gives an empty policy
# (the defaults), never the checkout's.
pg_config_from_ref() {
  local ref="${PG_CONFIG_REF:-}" path commit copy
  [[ -n "$ref" ]] || return 0
  if [[ "$ref" == base ]]; then
    ref="${PG_BASE_SHA:-}"
    if [[ -z "$ref" ]]; then
      pg_error "config-ref: base needs a pull_request event (the PR's base commit); name a branch instead"
      return 2
    fi
  fi
  pg_valid_ref config-ref "$ref"
  path="${PG_CONFIG:-perfgate.toml}"
  if ! commit="$(pg_have_commit "$ref")"; then
    pg_error "config-ref: could not fetch $ref"
    return 2
  fi
  copy="$(mktemp "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/perfgate-policy.XXXXXX")"
  if git cat-file -e "$commit:./$path" 2>/dev/null; then
    git show "$commit:./$path" > "$copy"
    pg_say "perfgate: policy $path from $ref (${commit:0:12}), not from the checkout"
  elif [[ -n "${PG_CONFIG:-}" ]]; then
    pg_error "config-ref: $ref has no $path"
    return 2
  else
    pg_say "perfgate: $ref has no perfgate.toml; the default policy applies (the checkout's is not read)"
  fi
  PG_CONFIG="$copy"
}
