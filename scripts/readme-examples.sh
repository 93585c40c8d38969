#!/usr/bin/env bash
# Regenerates the example outputs of README.md and docs/**/*.md. Each example is a command and its
# output's fenced block:
#   <!-- example: perfgate analyze --color never --baseline fixtures/k6/baseline-summary.json fixtures/k6/current-summary.json -->
#   ```
#   (the command's output)
#   ```
#   <!-- /example -->
# The command runs in bash from the repository root with the debug perfgate first on PATH, no GITHUB_*,
# PERFGATE_* or CI variables, NO_COLOR=1 and no terminal; exit codes 0 and 1 are outputs. One
# implementation with CI's check, the test docs::examples_are_current (tests/it/docs.rs), which `cargo test`
# runs: this script runs it and lets it rewrite the stale blocks.
#   scripts/readme-examples.sh           rewrite the stale examples (then review `git diff`)
#   scripts/readme-examples.sh --check   only check, as CI does: fails with a diff when one is stale
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1-}" in
  "") update=1 ;;
  --check) update=0 ;;
  *) echo "usage: scripts/readme-examples.sh [--check]" >&2; exit 2 ;;
esac
PERFGATE_UPDATE_EXAMPLES=$update exec cargo test --locked --quiet --features test-hooks --test it \
  docs::examples_are_current -- --exact --nocapture
