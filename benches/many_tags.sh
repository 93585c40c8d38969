#!/usr/bin/env bash
# The k6 mistake of dynamic URLs in the `name` tag, at scale: writes a k6 NDJSON run in which each of
# N (default 300 000) requests has its own URL as `name`, then measures perfgate (release) on it with
# GNU time: `analyze`, `baseline create`, and `analyze` against that baseline. Prints wall time, peak
# RSS, the snapshot size and the series-cap warning, and fails if a peak RSS exceeds 128 MiB.
# Usage: benches/many_tags.sh [N]   (the file is generated in $TMPDIR, never committed)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-300000}
tmp=${TMPDIR:-/tmp}
file="$tmp/perfgate-k6-many-tags-$n.ndjson"
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
cargo build --release --quiet
[ -f "$file" ] || python3 - "$file" "$n" <<'PY'
import json, random, sys
out, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(17)
with open(out, "w") as f:
    for m, t, c in [("http_req_duration", "trend", "time"), ("http_reqs", "counter", "default"),
                    ("http_req_failed", "rate", "default")]:
        f.write(json.dumps({"type": "Metric", "data": {"name": m, "type": t, "contains": c,
                "thresholds": [], "submetrics": None}, "metric": m}) + "\n")
    for i in range(n):
        ms, sec = divmod(i, 1000)
        time = "2025-11-25T12:%02d:%02d.%03d000Z" % (sec // 60 % 60, sec % 60, ms % 1000)
        url = "http://127.0.0.1:8080/users/%d?session=%016x" % (i, rng.getrandbits(64))
        tags = {"expected_response": "true", "group": "", "method": "GET", "proto": "HTTP/1.1",
                "scenario": "default", "status": "200", "name": url, "url": url}
        for m, v in [("http_req_duration", rng.lognormvariate(3, 0.4)), ("http_reqs", 1), ("http_req_failed", 0)]:
            f.write(json.dumps({"metric": m, "type": "Point",
                    "data": {"time": time, "value": v, "tags": tags}}) + "\n")
PY
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "input: $file, $(stat -c %s "$file") bytes, $n distinct name tags"
fail=0
measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -v "$@" >"$work/$label.out" 2>"$work/$label.err" || true
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "$work/$label.err" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$work/$label.err" | awk '{print $NF}')
  printf '%-22s wall %s  peak RSS %d KiB (%.1f MiB)\n' "$label" "$wall" "$rss" "$(echo "$rss/1024" | bc -l)"
  [ "$rss" -le $((128 * 1024)) ] || { echo "  over 128 MiB" >&2; fail=1; }
  grep -m1 "warning: k6 run has more than" "$work/$label.err" | sed 's/^/  /' || { echo "  no series-cap warning" >&2; fail=1; }
}
pg=./target/release/perfgate
measure analyze "$pg" -q --baselines-dir "$work/none" analyze "$file"
measure "baseline create" "$pg" -q --baselines-dir "$work/b" baseline create many "$file"
echo "snapshot: $(stat -c %s "$work/b/many.json") bytes"
measure "analyze vs baseline" "$pg" -q --baselines-dir "$work/b" analyze --baseline many "$file"
tail -1 "$work/analyze vs baseline.out"
exit $fail
