#!/usr/bin/env bash
# Installs perfgate for the composite action, fast:
#   1. the prebuilt binary of the pinned version from this action's own GitHub release, checked against
#      the SHA-256 pinned in this action's own repository (action/checksums.txt, written by the release
#      workflow into the tagged commit), never against a list from the release it verifies: whoever can
#      replace the release's assets cannot make them pass. HTTPS only; a redirect may only stay on the
#      server's host or go to GitHub's asset host. A mismatch stops here, it never falls back;
#   2. when there is no pinned sum or no such release (an unreleased commit, a fork, an unknown
#      platform): a build with `cargo install --locked` (this action's source for its own version,
#      crates.io for another), into a directory the action caches between runs.
#
# With --download-only it stops after step 1 and writes need-build=true and cache-key=... to
# $GITHUB_OUTPUT, so that action.yml restores the build cache only when a build is needed.
#
# Environment (all optional except GITHUB_ACTION_PATH):
#   PERFGATE_VERSION        version to install (default: the version in the action's Cargo.toml)
#   PERFGATE_INSTALL_DIR    where the binary goes (default: $RUNNER_TEMP/perfgate-bin), added to GITHUB_PATH
#   PERFGATE_BUILD_DIR      the cached build root (default: $RUNNER_TEMP/perfgate-build)
# Test hooks, honoured only with PERFGATE_TEST_HOOKS=1 outside a real runner (lib.sh, pg_test_hooks):
#   PERFGATE_REPOSITORY     owner/name of the release (default: derived from GITHUB_ACTION_PATH)
#   PERFGATE_DOWNLOAD_BASE  release download URL base (default: $GITHUB_SERVER_URL/<repo>/releases/download);
#                           with the switch, http://127.0.0.1 is allowed too
#   PERFGATE_CARGO          the cargo command of the fallback (default: cargo)
set -euo pipefail

# shellcheck source=action/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
hooks=false
if pg_test_hooks; then hooks=true; fi
for hook in PERFGATE_REPOSITORY PERFGATE_DOWNLOAD_BASE PERFGATE_CARGO; do
  if [[ -n "${!hook:-}" && "$hooks" != true ]]; then
    pg_warning "$hook is a test hook of perfgate's own tests and is ignored here"
    unset "$hook"
  fi
done

mode="${1:-install}"
action_dir="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: run this from action.yml}"
tmp_root="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
dest="${PERFGATE_INSTALL_DIR:-$tmp_root/perfgate-bin}"
build_root="${PERFGATE_BUILD_DIR:-$tmp_root/perfgate-build}"
cargo_cmd="${PERFGATE_CARGO:-cargo}"

say() { pg_say "perfgate install: $*" >&2; }
output() { if [[ -n "${GITHUB_OUTPUT:-}" ]]; then echo "$1" >> "$GITHUB_OUTPUT"; fi; }

own_version=""
if [[ -f "$action_dir/Cargo.toml" ]]; then
  own_version="$(sed -n 's/^version = "\([^"]*\)".*/\1/p' "$action_dir/Cargo.toml" | head -n 1)"
fi
version="${PERFGATE_VERSION:-$own_version}"
version="${version#v}"
if [[ ! "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-.+][0-9A-Za-z.-]+)?$ ]]; then
  pg_error "cannot tell which perfgate version to install (version input: '${PERFGATE_VERSION:-}')"
  exit 2
fi

# The action's own repository. `github.action_repository` is empty inside composite actions, but the
# runner checks an action out at .../_actions/OWNER/NAME/REF; `uses: ./` runs the workspace's copy.
repo="${PERFGATE_REPOSITORY:-}"
if [[ -z "$repo" ]]; then
  case "$action_dir" in
    */_actions/*/*/*)
      rest="${action_dir#*/_actions/}"
      owner="${rest%%/*}"; rest="${rest#*/}"
      repo="$owner/${rest%%/*}" ;;
    *)
      if [[ -n "${GITHUB_WORKSPACE:-}" && "$(cd "$action_dir" && pwd -P)" == "$(cd "$GITHUB_WORKSPACE" && pwd -P)" ]]; then
        repo="${GITHUB_REPOSITORY:-}"
      fi ;;
  esac
fi

case "${RUNNER_OS:-$(uname -s)}/${RUNNER_ARCH:-$(uname -m)}" in
  Linux/X64 | Linux/x86_64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64 | Linux/aarch64) target=aarch64-unknown-linux-musl ;;
  macOS/X64 | Darwin/x86_64) target=x86_64-apple-darwin ;;
  macOS/ARM64 | Darwin/arm64) target=aarch64-apple-darwin ;;
  Windows/X64) target=x86_64-pc-windows-msvc ;;
  *) target="" ;;
esac
exe=perfgate
[[ "$target" == *windows* ]] && exe=perfgate.exe

mkdir -p "$dest"
if [[ -n "${GITHUB_PATH:-}" ]]; then echo "$dest" >> "$GITHUB_PATH"; fi

installed_version() { "$1" --version 2>/dev/null | awk '{ print $2 }'; }

sha256() {
  if command -v sha256sum >/dev/null; then sha256sum "$1" | awk '{ print $1 }'
  else shasum -a 256 "$1" | awk '{ print $1 }'; fi
}

if [[ -x "$dest/$exe" && "$(installed_version "$dest/$exe")" == "$version" ]]; then
  say "perfgate $version already installed in $dest"
  output need-build=false
  exit 0
fi

# The host of an http(s) URL, lower-cased.
url_host() { local h="${1#*://}"; h="${h%%/*}"; h="${h##*@}"; printf '%s' "${h,,}"; }

# Whether a URL may be fetched: https, or with the test switch http to 127.0.0.1.
url_allowed() {
  [[ "$1" == https://* ]] && return 0
  [[ "$hooks" == true && "$1" =~ ^http://127\.0\.0\.1(:[0-9]+)?/ ]]
}

# Whether a redirect from host $1 may go to host $2: the same host, a subdomain of it, or, from
# github.com, GitHub's release asset hosts.
redirect_allowed() {
  [[ "$2" == "$1" || "$2" == *".$1" ]] && return 0
  [[ "$1" == github.com && ( "$2" == objects.githubusercontent.com || "$2" == release-assets.githubusercontent.com ) ]]
}

# Fetches URL $1 to file $2 following at most 5 redirects, each checked; prints the final HTTP status
# (000 for a refused or failed transfer).
fetch() {
  local url="$1" to="$2" origin hop code next proto
  origin="$(url_host "$url")"
  for hop in 0 1 2 3 4 5; do
    if ! url_allowed "$url"; then
      say "refusing to download from ${url%%\?*}: only https (redirect $hop)"
      echo 000; return
    fi
    if [[ $hop -gt 0 ]] && ! redirect_allowed "$origin" "$(url_host "$url")"; then
      say "refusing a redirect from $origin to $(url_host "$url")"
      echo 000; return
    fi
    proto='=https'
    [[ "$url" == http://* ]] && proto='=http'
    next="$(curl -sS --proto "$proto" --retry 3 --connect-timeout 10 --max-time 300 --max-filesize 268435456 \
      -o "$to" -w '%{http_code} %{redirect_url}' -- "$url" || echo 000)"
    code="${next%% *}"
    next="${next#* }"
    if [[ "$code" == 30[12378] && -n "$next" && "$next" != "$code" ]]; then
      url="$next"
      continue
    fi
    echo "$code"; return
  done
  say "too many redirects"
  echo 000
}

# Step 1: the release binary. Returns 1 when there is nothing to download (fall back to a build);
# exits when the download does not match its pinned checksum.
download() {
  if [[ -z "$repo" || -z "$target" ]]; then
    say "no release to download (repository '${repo:-unknown}', platform ${RUNNER_OS:-?}/${RUNNER_ARCH:-?})"
    return 1
  fi
  local asset="perfgate-v$version-$target.tar.gz"
  # The sum comes from this action's own repository, never from the release being verified.
  local expected
  expected="$(awk -v a="$asset" '$1 !~ /^#/ && ($2 == a || $2 == "*" a) { print $1 }' "$action_dir/action/checksums.txt" 2>/dev/null | head -n 1 || true)"
  if [[ ! "$expected" =~ ^[0-9a-f]{64}$ ]]; then
    say "no SHA-256 for $asset pinned in this action's action/checksums.txt; not downloading"
    return 1
  fi
  local base="${PERFGATE_DOWNLOAD_BASE:-${GITHUB_SERVER_URL:-https://github.com}/$repo/releases/download}"
  local work code
  work="$(mktemp -d "$tmp_root/perfgate-dl.XXXXXX")"
  code="$(fetch "$base/v$version/$asset" "$work/$asset")"
  if [[ "$code" != 200 ]]; then
    say "could not download $asset from $base (HTTP $code)"
    rm -rf "$work"
    return 1
  fi
  local actual
  actual="$(sha256 "$work/$asset")"
  if [[ "$actual" != "$expected" ]]; then
    pg_error "checksum mismatch for $asset: the action pins $expected, the download is $actual; refusing to install"
    rm -rf "$work"
    exit 1
  fi
  mkdir -p "$work/x"
  tar -xzf "$work/$asset" -C "$work/x"
  if [[ ! -f "$work/x/$exe" ]]; then
    pg_error "$asset holds no $exe"
    rm -rf "$work"
    exit 1
  fi
  mv "$work/x/$exe" "$dest/$exe"
  chmod +x "$dest/$exe"
  rm -rf "$work"
  say "perfgate $version ($target) downloaded, SHA-256 $actual verified against action/checksums.txt"
}

# The build cache key: the platform, the version and the action's source.
cache_key() {
  local h
  h="$(cd "$action_dir" && { cat Cargo.toml Cargo.lock 2>/dev/null; find src -type f -name '*.rs' 2>/dev/null | LC_ALL=C sort | xargs cat 2>/dev/null; } | { sha256sum 2>/dev/null || shasum -a 256; } | cut -c1-16)"
  echo "perfgate-build-${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}-$version-$h"
}

if download; then
  output need-build=false
  "$dest/$exe" --version >&2
  exit 0
fi

if [[ "$mode" == "--download-only" ]]; then
  output need-build=true
  output "cache-key=$(cache_key)"
  exit 0
fi

# Step 2: build from the action's source (or crates.io when the action has none), reusing the cache.
if [[ -x "$build_root/bin/$exe" && "$(installed_version "$build_root/bin/$exe")" == "$version" ]]; then
  say "perfgate $version from the build cache"
else
  pg_notice "no verified prebuilt perfgate $version for this platform; building it with cargo (cached for later runs)"
  if [[ -f "$action_dir/Cargo.toml" && "$version" == "$own_version" ]]; then
    "$cargo_cmd" install --locked --quiet --path "$action_dir" --root "$build_root"
  else
    "$cargo_cmd" install --locked --quiet perfgate --version "=$version" --root "$build_root"
  fi
fi
cp "$build_root/bin/$exe" "$dest/$exe"
"$dest/$exe" --version >&2
