#!/usr/bin/env python3
"""Writes a big k6 `--out json` NDJSON file by repeating the real k6 outputs in fixtures/corpus/k6-ndjson.

Each copy of a source file keeps its lines (both k6 key orders, Metric lines only in the first copy), moves
every timestamp forward so time grows monotonically, and scales trend values by a random log-normal
factor so that percentiles are not just ties. Usage: gen_k6_ndjson.py OUT SIZE_MB [SOURCE...]
"""
import glob
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SOURCES = sorted(glob.glob(os.path.join(HERE, "..", "fixtures", "corpus", "k6-ndjson", "*.ndjson")))
COUNTERS = {"http_reqs", "iterations", "data_sent", "data_received", "checks", "http_req_failed", "vus", "vus_max"}


def main():
    out, size_mb = sys.argv[1], float(sys.argv[2])
    sources = sys.argv[3:] or DEFAULT_SOURCES
    rng = random.Random(42)
    templates = []  # (is_metric, prefix, suffix, value_kind) with the time and value cut out
    for path in sources:
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                obj = json.loads(line)
                if obj.get("type") != "Point":
                    templates.append(("metric", line))
                    continue
                t = obj["data"]["time"]
                v = obj["data"]["value"]
                metric = obj["metric"]
                # Cut the line around its time and value so that copies are cheap string joins.
                ti = line.index('"time":"') + 8
                tj = line.index('"', ti)
                vi = line.index('"value":') + 8
                vj = vi
                while line[vj] not in ",}":
                    vj += 1
                if ti < vi:
                    parts = (line[:ti], line[tj:vi], line[vj:])
                    order = "tv"
                else:
                    parts = (line[:vi], line[vj:ti], line[tj:])
                    order = "vt"
                templates.append(("point", parts, order, float(v), metric in COUNTERS or not isinstance(v, (int, float))))
    target = int(size_mb * 1e6)
    written = 0
    copy = 0
    base = 1_700_000_000  # seconds; each copy moves one second on
    with open(out, "w", encoding="utf-8") as f:
        for tpl in templates:
            if tpl[0] == "metric":
                f.write(tpl[1] + "\n")
        while written < target:
            sec = base + copy
            frac = 0
            chunk = []
            for tpl in templates:
                if tpl[0] != "point":
                    continue
                _, parts, order, v, fixed = tpl
                frac += 1
                ts = "%s.%09dZ" % (format_time(sec), frac * 1000)
                val = v if fixed else round(v * rng.lognormvariate(0, 0.5), 6)
                vs = repr(val) if isinstance(val, float) and not val.is_integer() else str(int(val)) if fixed else repr(val)
                if order == "tv":
                    chunk.append(parts[0] + ts + parts[1] + vs + parts[2])
                else:
                    chunk.append(parts[0] + vs + parts[1] + ts + parts[2])
            s = "\n".join(chunk) + "\n"
            f.write(s)
            written += len(s)
            copy += 1
    print(f"{out}: {written / 1e6:.0f} MB, {copy} copies", file=sys.stderr)


_cache = {}


def format_time(sec):
    import time
    day, rem = divmod(sec, 86400)
    if day not in _cache:
        _cache[day] = time.strftime("%Y-%m-%dT", time.gmtime(day * 86400))
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    return "%s%02d:%02d:%02d" % (_cache[day], h, m, s)


if __name__ == "__main__":
    main()
