#!/usr/bin/env bash
# Regenerates the README's example outputs from the real fixtures with the release binary.
# Each example sits between `<!-- example: NAME -->` and `<!-- /example -->` in README.md; the text in
# between is replaced by the command's output in a fenced block. Run from anywhere:
#   scripts/readme-examples.sh
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked --quiet
bin=target/release/perfgate
pair=(--baseline fixtures/k6/baseline-summary.json fixtures/k6/current-summary.json)

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Exit code 1 is the gate failing, which is what the example shows; anything else is an error.
run() { local name=$1; shift; "$bin" "$@" > "$out/$name" || [ $? -eq 1 ]; }
# No GitHub context (it would add links), no colour.
unset GITHUB_ACTIONS GITHUB_REPOSITORY GITHUB_RUN_ID GITHUB_SERVER_URL GITHUB_EVENT_PATH
run table analyze --color never "${pair[@]}"
run markdown analyze -o markdown "${pair[@]}"

python3 - "$out" <<'PY'
import pathlib, re, sys
out = pathlib.Path(sys.argv[1])
fences = {"table": "```", "markdown": "````markdown"}
readme = pathlib.Path("README.md")
text = readme.read_text()
for name, fence in fences.items():
    body = (out / name).read_text().rstrip("\n")
    close = fence.rstrip("markdown") if fence.startswith("````") else fence
    block = f"<!-- example: {name} -->\n{fence}\n{body}\n{close}\n<!-- /example -->"
    pattern = re.compile(rf"<!-- example: {name} -->.*?<!-- /example -->", re.S)
    if not pattern.search(text):
        sys.exit(f"README.md has no <!-- example: {name} --> block")
    text = pattern.sub(lambda _: block, text)
readme.write_text(text)
print("README.md examples regenerated:", ", ".join(fences))
PY
