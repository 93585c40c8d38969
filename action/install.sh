#!/usr/bin/env bash
# Installs perfgate for the composite action: a pinned release binary verified by SHA-256 when a version
# is given and its checksum is shipped in action/checksums.txt, otherwise a build of this action's source.
set -euo pipefail

dest="${RUNNER_TEMP:-/tmp}/perfgate-bin"
mkdir -p "$dest"
echo "$dest" >> "$GITHUB_PATH"
export PATH="$dest:$PATH"

if [[ -n "${PERFGATE_VERSION:-}" ]]; then
  case "${RUNNER_OS_NAME:-Linux}/${RUNNER_ARCH_NAME:-X64}" in
    Linux/X64) target=x86_64-unknown-linux-musl ;;
    Linux/ARM64) target=aarch64-unknown-linux-musl ;;
    macOS/X64) target=x86_64-apple-darwin ;;
    macOS/ARM64) target=aarch64-apple-darwin ;;
    *) target="" ;;
  esac
  asset="perfgate-${target}.tar.gz"
  sums="$GITHUB_ACTION_PATH/action/checksums.txt"
  expected="$(awk -v v="v${PERFGATE_VERSION}" -v a="$asset" '$2 == v && $3 == a { print $1 }' "$sums" 2>/dev/null || true)"
  if [[ -n "$target" && -n "$expected" && -n "${PERFGATE_ACTION_REPOSITORY:-}" ]]; then
    url="https://github.com/${PERFGATE_ACTION_REPOSITORY}/releases/download/v${PERFGATE_VERSION}/${asset}"
    tmp="$(mktemp -d)"
    curl --proto '=https' --tlsv1.2 -fsSL --retry 3 -o "$tmp/$asset" "$url"
    echo "$expected  $tmp/$asset" | sha256sum -c - >/dev/null
    tar -xzf "$tmp/$asset" -C "$dest" perfgate
    echo "perfgate ${PERFGATE_VERSION} (${target}, SHA-256 verified)"
    exit 0
  fi
  echo "::notice title=perfgate::no verified release binary for v${PERFGATE_VERSION} on ${RUNNER_OS_NAME}/${RUNNER_ARCH_NAME}; building from source"
fi

if [[ -f "$GITHUB_ACTION_PATH/Cargo.toml" ]]; then
  cargo install --locked --quiet --path "$GITHUB_ACTION_PATH" --root "${RUNNER_TEMP:-/tmp}/perfgate-cargo"
  cp "${RUNNER_TEMP:-/tmp}/perfgate-cargo/bin/perfgate" "$dest/"
else
  cargo install --locked --quiet --git "https://github.com/${PERFGATE_ACTION_REPOSITORY}" perfgate --root "${RUNNER_TEMP:-/tmp}/perfgate-cargo"
  cp "${RUNNER_TEMP:-/tmp}/perfgate-cargo/bin/perfgate" "$dest/"
fi
perfgate --version
