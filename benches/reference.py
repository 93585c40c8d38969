#!/usr/bin/env python3
"""Plain Python reference for perfgate's k6 NDJSON reader: json per line, all values kept, sorted, type-7
percentiles. Same metrics and rules as src/input/k6_ndjson.rs (sub-metrics by name/scenario/status/method
and expected_response:true, setup/teardown skipped, gauges skipped). Prints {key: {stat: value}} as JSON.
Usage: reference.py FILE > out.json
"""
import json
import math
import sys

SPLIT = ("name", "scenario", "status", "method")
BUILTIN = {
    "http_reqs": "counter", "iterations": "counter", "data_sent": "counter", "data_received": "counter",
    "dropped_iterations": "counter", "http_req_failed": "rate", "checks": "rate", "vus": "gauge",
    "vus_max": "gauge", "iteration_duration": "trend", "group_duration": "trend", "grpc_req_duration": "trend",
}


def builtin(metric):
    if metric in BUILTIN:
        return BUILTIN[metric]
    return "trend" if metric.startswith("http_req_") else None


def setup_or_teardown(g):
    return any(g == p or (g.startswith(p) and g[len(p):].startswith("::")) for p in ("::setup", "::teardown"))


def type7(v, p):
    h = (len(v) - 1) * p
    lo = math.floor(h)
    a = v[lo]
    b = v[min(lo + 1, len(v) - 1)]
    return a + (h - lo) * (b - a)


def main():
    kinds = {}
    series = {}  # key -> [kind, values | sum | [nonzero, total]]
    with open(sys.argv[1], "rb") as f:
        for raw in f:
            raw = raw.strip()
            if not raw:
                continue
            line = json.loads(raw)
            if line.get("type") == "Metric":
                d = line.get("data") or {}
                if d.get("type") in ("trend", "counter", "rate", "gauge"):
                    kinds[line.get("metric") or d.get("name")] = d["type"]
                continue
            if line.get("type") != "Point":
                continue
            metric = line["metric"]
            d = line["data"]
            value = d.get("value")
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
                continue
            kind = kinds.get(metric) or builtin(metric)
            if kind is None or kind == "gauge":
                continue
            tags = d.get("tags") or {}
            if setup_or_teardown(tags.get("group") or ""):
                continue
            keys = [metric]
            for k, v in tags.items():
                if isinstance(v, str) and ((k in SPLIT and v) or (k == "expected_response" and v == "true")):
                    keys.append(f"{metric}{{{k}:{v}}}")
            for key in keys:
                s = series.get(key)
                if s is None:
                    s = series[key] = [kind, [] if kind == "trend" else 0.0 if kind == "counter" else [0, 0]]
                if s[0] == "trend":
                    s[1].append(value)
                elif s[0] == "counter":
                    s[1] += value
                else:
                    s[1][1] += 1
                    s[1][0] += value != 0
    out = {}
    for key, (kind, data) in series.items():
        if kind == "trend":
            data.sort()
            out[key] = {"count": len(data), "mean": sum(data) / len(data), "min": data[0], "max": data[-1],
                        **{f"p{int(p * 100)}": type7(data, p) for p in (0.5, 0.9, 0.95, 0.99)}}
        elif kind == "counter":
            out[key] = {"count": data}
        elif data[1]:
            out[key] = {"rate": data[0] / data[1]}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
