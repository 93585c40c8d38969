#!/usr/bin/env bash
# perfgate's own hot paths, timed end to end with hyperfine on generated, deterministic inputs; one
# hyperfine JSON per benchmark in OUT (perfgate reads them). This is what `perfgate ab` runs on perfgate's
# pull requests (.github/workflows/self-gate-pr.yml) and what main records as history (self-gate-main.yml).
#
# Usage: benches/self.sh [--bin PERFGATE] [--out DIR] [--runs N] [BENCH...]
#   BENCH: ndjson (k6 NDJSON, a real run repeated), ndjson-names (one distinct `name` per request),
#          ndjson-urls (one distinct `url`), summary-pair (analyze a k6 summary pair), suite-1000 (analyze a
#          Google Benchmark pair of 1 000 benchmarks), history-100 (analyze against 100 snapshots of history).
#          Default: $PG_SELF_BENCHES, else all.
#   --bin: the perfgate to time (default ./target/self-bin/perfgate of benches/self-build.sh, else
#          ./target/release/perfgate, both in the current directory, so that in
#          `perfgate ab` each tree times its own build). --out: default ./target/self-bench.
# Sizes: PG_SELF_MB (NDJSON MB, default 32), PG_SELF_TAGS (distinct values, default 100000). Inputs are
# generated once into PG_SELF_DATA (default $TMPDIR/perfgate-self) from this script's own tree, so both
# sides of an A/B run read the same bytes.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=./target/self-bin/perfgate
[ -x "$bin" ] || bin=./target/release/perfgate
out=./target/self-bench
runs=${PG_SELF_RUNS:-5}
benches=()
while [ $# -gt 0 ]; do
  case $1 in
    --bin) bin=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "benches/self.sh: unknown option $1" >&2; exit 2 ;;
    *) benches+=("$1"); shift ;;
  esac
done
# shellcheck disable=SC2206 # a list of names
[ ${#benches[@]} -gt 0 ] || benches=(${PG_SELF_BENCHES:-})
[ ${#benches[@]} -gt 0 ] || benches=(ndjson ndjson-names ndjson-urls summary-pair suite-1000 history-100)
command -v hyperfine >/dev/null || { echo "benches/self.sh needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
[ -x "$bin" ] || { echo "benches/self.sh: no perfgate at $bin (cargo build --release)" >&2; exit 2; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
mb=${PG_SELF_MB:-32}
tags=${PG_SELF_TAGS:-100000}
data=${PG_SELF_DATA:-${TMPDIR:-/tmp}/perfgate-self}
mkdir -p "$data" "$out"
out=$(cd "$out" && pwd)
# Each tree's own scratch (snapshots written by its own perfgate), removed on exit.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

input() { # name: prints the path of a generated input, generating it once
  local f
  case $1 in
    ndjson)
      f=$data/k6-$mb.ndjson
      [ -s "$f" ] || { gzip -dc "$here/fixtures/k6/baseline.ndjson.gz" > "$data/run.ndjson"
        python3 "$here/benches/gen_k6_ndjson.py" "$f.tmp" "$mb" "$data/run.ndjson" 2>/dev/null && mv "$f.tmp" "$f"; } ;;
    ndjson-names|ndjson-urls)
      f=$data/k6-$1-$tags.ndjson
      [ -s "$f" ] || { python3 "$here/benches/gen_k6_many_tags.py" "$f.tmp" "$tags" --distinct "$(echo "${1#ndjson-}" | tr -d s)" \
        && mv "$f.tmp" "$f"; } ;;
    suite-1000)
      f=$data/gbench-1000
      [ -s "$f-current.json" ] || python3 - "$f" <<'PY'
import json, random, sys
rng = random.Random(26)
for side, scale in (("baseline", 1.0), ("current", 1.02)):
    bms = []
    for i in range(1000):
        t = 100.0 * (1 + i % 37) * scale * rng.lognormvariate(0, 0.01)
        for rep in range(5):
            v = t * rng.lognormvariate(0, 0.02)
            bms.append({"name": f"BM_case/{i}", "run_name": f"BM_case/{i}", "run_type": "iteration",
                        "repetitions": 5, "repetition_index": rep, "threads": 1, "iterations": 1000,
                        "real_time": v, "cpu_time": v, "time_unit": "ns"})
    ctx = {"date": "2026-01-01T00:00:00+00:00", "host_name": "bench", "executable": "./bench",
           "num_cpus": 2, "mhz_per_cpu": 2000, "cpu_scaling_enabled": False, "caches": [],
           "load_avg": [], "library_build_type": "release"}
    json.dump({"context": ctx, "benchmarks": bms}, open(f"{sys.argv[1]}-{side}.json", "w"))
PY
      ;;
    *) echo "benches/self.sh: unknown benchmark $1" >&2; exit 2 ;;
  esac
  echo "$f"
}

time_it() { # name, command: hyperfine's JSON in $out/NAME.json, the benchmark named NAME
  hyperfine -N --style none --warmup 1 --runs "$runs" -n "$1" --export-json "$out/$1.json" "$2" >/dev/null
}

for b in "${benches[@]}"; do
  case $b in
    ndjson|ndjson-names|ndjson-urls)
      f=$(input "$b")
      time_it "$b" "$bin -q --baselines-dir $work/b baseline create --force $b $f" ;;
    summary-pair)
      time_it "$b" "$bin -q --color never analyze --fail-on never $here/fixtures/k6/current-summary.json --baseline $here/fixtures/k6/baseline-summary.json" ;;
    suite-1000)
      f=$(input "$b")
      time_it "$b" "$bin -q --color never analyze --fail-on never $f-current.json --baseline $f-baseline.json" ;;
    history-100)
      # 100 snapshots of the k6 summary fixtures, appended by this tree's perfgate.
      h=$work/history
      fx=("$here"/fixtures/k6/*-summary.json)
      for i in $(seq 1 100); do
        "$bin" -q --baselines-dir "$h" baseline create --append --keep 100 main "${fx[$((i % ${#fx[@]}))]}" >/dev/null
      done
      time_it "$b" "$bin -q --color never --baselines-dir $h analyze --fail-on never $here/fixtures/k6/current-summary.json --baseline main" ;;
    *) echo "benches/self.sh: unknown benchmark $b" >&2; exit 2 ;;
  esac
done
