#!/usr/bin/env bash
# Runs the self-gate-pr workflow's measuring step on this machine: action/ab.sh with the inputs that
# .github/workflows/self-gate-pr.yml gives it, the working tree as head and BASE (default main) as base,
# and prints perfgate's verdict. Exit code: perfgate's (0 pass, 1 gate failed, 2 error).
# Quick by default (dev build, small inputs); PG_SELF_PROFILE=release PG_SELF_MB=32 for the CI sizes.
# Usage: benches/self-gate-local.sh [BASE]   (needs hyperfine and a perfgate on PATH or PERFGATE)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PG_SELF_PROFILE=${PG_SELF_PROFILE:-dev}
export PG_SELF_MB=${PG_SELF_MB:-8}
export PG_SELF_TAGS=${PG_SELF_TAGS:-20000}
export PG_SELF_TARGET=${PG_SELF_TARGET:-$root/target}
pg=${PERFGATE:-$(command -v perfgate || echo "$root/target/release/perfgate")}
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
ln -s "$(cd "$(dirname "$pg")" && pwd)/$(basename "$pg")" "$bin/perfgate"
# The workflow's inputs, as action.yml passes them to action/run.sh.
PATH="$bin:$PATH" GITHUB_WORKSPACE=$root PG_MODE=ab PG_AB_BASE=${1:-main} PG_AB_RUNS=${PG_AB_RUNS:-6} \
  PG_AB_BUILD="bash \"\$GITHUB_WORKSPACE/benches/self-build.sh\"" \
  PG_AB_COMMAND="bash \"\$GITHUB_WORKSPACE/benches/self.sh\" --out target/self-bench" \
  PG_AB_RESULTS="target/self-bench/*.json" PG_COMMENT=false PG_COMMENT_KEY=self-gate \
  GITHUB_OUTPUT='' GITHUB_TOKEN='' bash action/run.sh
