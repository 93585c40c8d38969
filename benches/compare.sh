#!/usr/bin/env bash
# Times perfgate (release) against benches/reference.py on the same generated k6 NDJSON file, prints
# throughput, the ratio and both peak memories, and checks perfgate's percentiles against the exact type-7
# values within 0.1 %. Usage: benches/compare.sh [SIZE_MB] (default 200; the file is kept in $TMPDIR).
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-200}
tmp=${TMPDIR:-/tmp}
file="$tmp/perfgate-k6-${size}mb.ndjson"
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
cargo build --release --quiet
[ -f "$file" ] || python3 benches/gen_k6_ndjson.py "$file" "$size"
bytes=$(stat -c %s "$file")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() { # label, command...: prints "seconds rss_kib"
  local label=$1; shift
  /usr/bin/time -v "$@" 2>"$work/$label.time" >"$work/$label.out" || { cat "$work/$label.time" >&2; exit 2; }
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "$work/$label.time" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(grep "Maximum resident set size" "$work/$label.time" | awk '{print $NF}')
  echo "$wall $rss"
}

read -r pg_s pg_rss < <(run perfgate ./target/release/perfgate -q --baselines-dir "$work/b" baseline create bench "$file")
read -r py_s py_rss < <(run python python3 benches/reference.py "$file")
python3 - "$bytes" "$pg_s" "$pg_rss" "$py_s" "$py_rss" "$work/b/bench.json" "$work/python.out" <<'PY'
import json, sys
size, pg_s, pg_rss, py_s, py_rss = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
snap = json.load(open(sys.argv[6]))["benchmarks"]
ref = json.load(open(sys.argv[7]))
print(f"input            {size / 1e6:.0f} MB")
print(f"perfgate         {pg_s:6.2f} s  {size / 1e6 / pg_s:7.0f} MB/s  peak RSS {pg_rss / 1024:6.1f} MiB")
print(f"python reference {py_s:6.2f} s  {size / 1e6 / py_s:7.0f} MB/s  peak RSS {py_rss / 1024:6.1f} MiB")
print(f"ratio            {py_s / pg_s:.1f}x faster")
worst, n, bad, repeats = 0.0, 0, [], 0
for key, stats in ref.items():
    # perfgate drops a tag sub-metric that repeats its parent, or another tag that selects the same requests
    # (src/input/redundant.rs): accept only such drops.
    parent = key.split("{")[0]
    twins = [k for k in snap if k.split("{")[0] == parent and k != key and ref.get(k) == stats]
    zero = all(v == 0 for st, v in stats.items() if st != "count")
    if key not in snap and "{" in key and (ref.get(parent) == stats or twins or zero):
        repeats += 1
        continue
    for stat, want in stats.items():
        got = snap.get(key, {}).get("metrics", {}).get(stat, {}).get("value")
        if stat not in ("p50", "p90", "p95", "p99", "count", "min", "max", "mean") or "count" in stats and stat == "count" and len(stats) == 1:
            continue
        if got is None:
            bad.append(f"{key} {stat} missing")
            continue
        err = abs(got - want) / abs(want) if want else abs(got)
        if stat.startswith("p"):
            worst = max(worst, err)
            n += 1
        if err > (1e-3 if stat.startswith("p") else 1e-9):
            bad.append(f"{key} {stat}: {got} vs {want}")
print(f"percentiles      {n} compared, worst relative error {worst * 100:.4f} % (limit 0.1 %); {repeats} repeated or all-zero series dropped")
if bad:
    print("MISMATCH:\n  " + "\n  ".join(bad[:20]))
    sys.exit(1)
PY
