#!/usr/bin/env python3
"""The one-metric Python reader the NDJSON speed goal is stated against (#26): json per line, the values of
one metric (default http_req_duration, no sub-metrics), its count and type-7 p95. perfgate must be ≥ 20×
faster on the same file while computing every metric and sub-metric. Usage: reference_one.py FILE [METRIC]
"""
import json
import sys


def main():
    metric = sys.argv[2] if len(sys.argv) > 2 else "http_req_duration"
    values = []
    with open(sys.argv[1], "rb") as f:
        for line in f:
            o = json.loads(line)
            if o.get("type") == "Point" and o.get("metric") == metric:
                values.append(o["data"]["value"])
    values.sort()
    h = (len(values) - 1) * 0.95
    lo = int(h)
    p95 = values[lo] + (h - lo) * (values[min(lo + 1, len(values) - 1)] - values[lo])
    print(json.dumps({"count": len(values), "p95": p95}))


if __name__ == "__main__":
    main()
