#!/usr/bin/env bash
# Installs perfgate for the composite action, fast:
#   1. the prebuilt binary of the pinned version from this action's own GitHub release, checked against
#      the release's SHA256SUMS (and against action/checksums.txt when that pins the asset): a mismatch
#      stops here, it never falls back;
#   2. when there is no such release (an unreleased commit, a fork, an unknown platform): a build of this
#      action's source with `cargo install --locked`, into a directory the action caches between runs.
#
# With --download-only it stops after step 1 and writes need-build=true and cache-key=... to
# $GITHUB_OUTPUT, so that action.yml restores the build cache only when a build is needed.
#
# Environment (all optional except GITHUB_ACTION_PATH):
#   PERFGATE_VERSION        version to install (default: the version in the action's Cargo.toml)
#   PERFGATE_REPOSITORY     owner/name of the release (default: derived from GITHUB_ACTION_PATH)
#   PERFGATE_DOWNLOAD_BASE  release download URL base (default: $GITHUB_SERVER_URL/<repo>/releases/download)
#   PERFGATE_INSTALL_DIR    where the binary goes (default: $RUNNER_TEMP/perfgate-bin), added to GITHUB_PATH
#   PERFGATE_BUILD_DIR      the cached build root (default: $RUNNER_TEMP/perfgate-build)
#   PERFGATE_CARGO          the cargo command of the fallback (default: cargo); tests replace it
set -euo pipefail

mode="${1:-install}"
action_dir="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: run this from action.yml}"
tmp_root="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
dest="${PERFGATE_INSTALL_DIR:-$tmp_root/perfgate-bin}"
build_root="${PERFGATE_BUILD_DIR:-$tmp_root/perfgate-build}"
cargo_cmd="${PERFGATE_CARGO:-cargo}"

say() { echo "perfgate install: $*" >&2; }
output() { if [[ -n "${GITHUB_OUTPUT:-}" ]]; then echo "$1" >> "$GITHUB_OUTPUT"; fi; }

version="${PERFGATE_VERSION:-}"
if [[ -z "$version" && -f "$action_dir/Cargo.toml" ]]; then
  version="$(sed -n 's/^version = "\([^"]*\)".*/\1/p' "$action_dir/Cargo.toml" | head -n 1)"
fi
version="${version#v}"
if [[ ! "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-.+][0-9A-Za-z.-]+)?$ ]]; then
  echo "::error title=perfgate::cannot tell which perfgate version to install (version input: '${PERFGATE_VERSION:-}')"
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

# Step 1: the release binary. Returns 1 when there is nothing to download (fall back to a build);
# exits when the download does not match its checksum.
download() {
  if [[ -z "$repo" || -z "$target" ]]; then
    say "no release to download (repository '${repo:-unknown}', platform ${RUNNER_OS:-?}/${RUNNER_ARCH:-?})"
    return 1
  fi
  local base="${PERFGATE_DOWNLOAD_BASE:-${GITHUB_SERVER_URL:-https://github.com}/$repo/releases/download}"
  local asset="perfgate-v$version-$target.tar.gz"
  local work
  work="$(mktemp -d "$tmp_root/perfgate-dl.XXXXXX")"
  local code
  code="$(curl -sSL --retry 3 --connect-timeout 10 -o "$work/SHA256SUMS" -w '%{http_code}' "$base/v$version/SHA256SUMS" || true)"
  if [[ "$code" != 200 ]]; then
    say "no release v$version at $base (HTTP ${code:-error} for SHA256SUMS)"
    rm -rf "$work"
    return 1
  fi
  local expected pinned
  expected="$(awk -v a="$asset" '$2 == a || $2 == "*" a { print $1 }' "$work/SHA256SUMS" | head -n 1)"
  if [[ -z "$expected" ]]; then
    say "release v$version has no $asset"
    rm -rf "$work"
    return 1
  fi
  # A sum committed in the action itself outranks the release's own list.
  pinned="$(awk -v a="$asset" '$1 !~ /^#/ && $2 == a { print $1 }' "$action_dir/action/checksums.txt" 2>/dev/null | head -n 1 || true)"
  if [[ -n "$pinned" && "$pinned" != "$expected" ]]; then
    echo "::error title=perfgate::SHA256SUMS of release v$version disagrees with action/checksums.txt for $asset; refusing to install"
    rm -rf "$work"
    exit 1
  fi
  code="$(curl -sSL --retry 3 --connect-timeout 10 -o "$work/$asset" -w '%{http_code}' "$base/v$version/$asset" || true)"
  if [[ "$code" != 200 ]]; then
    say "could not download $asset (HTTP ${code:-error})"
    rm -rf "$work"
    return 1
  fi
  local actual
  actual="$(sha256 "$work/$asset")"
  if [[ "$actual" != "$expected" ]]; then
    echo "::error title=perfgate::checksum mismatch for $asset: expected $expected, got $actual; refusing to install"
    rm -rf "$work"
    exit 1
  fi
  mkdir -p "$work/x"
  tar -xzf "$work/$asset" -C "$work/x"
  if [[ ! -f "$work/x/$exe" ]]; then
    echo "::error title=perfgate::$asset holds no $exe"
    rm -rf "$work"
    exit 1
  fi
  mv "$work/x/$exe" "$dest/$exe"
  chmod +x "$dest/$exe"
  rm -rf "$work"
  say "perfgate $version ($target) downloaded, SHA-256 $actual verified"
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
  echo "::notice title=perfgate::no prebuilt perfgate $version for this platform; building it with cargo (cached for later runs)"
  if [[ -f "$action_dir/Cargo.toml" ]]; then
    "$cargo_cmd" install --locked --quiet --path "$action_dir" --root "$build_root"
  else
    "$cargo_cmd" install --locked --quiet perfgate --version "=$version" --root "$build_root"
  fi
fi
cp "$build_root/bin/$exe" "$dest/$exe"
"$dest/$exe" --version >&2
