#!/usr/bin/env bash
# Builds this tree's perfgate into ./target/self-bin/perfgate for benches/self.sh. The trees of one
# `perfgate ab` share one Cargo target directory (PG_SELF_TARGET, default ./target) so that dependencies
# build once and only perfgate itself is compiled per tree; the binary is copied out before the other
# tree's build replaces it. PG_SELF_PROFILE: release (default) or dev (a quick check of the mechanism).
set -euo pipefail
profile=${PG_SELF_PROFILE:-release}
target=${PG_SELF_TARGET:-$PWD/target}
dir=$([ "$profile" = dev ] && echo debug || echo "$profile")
# Cargo decides freshness by modification times: the other tree's build is newer than this tree's files,
# so without this it would hand back the other tree's binary (both sides would time the same code).
touch src/lib.rs
cargo build --locked --quiet --profile "$profile" --bin perfgate --target-dir "$target"
mkdir -p target/self-bin
cp "$target/$dir/perfgate" target/self-bin/perfgate.tmp
mv target/self-bin/perfgate.tmp target/self-bin/perfgate
