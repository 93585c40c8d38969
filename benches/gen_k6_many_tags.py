#!/usr/bin/env python3
"""Writes a k6 `--out json` NDJSON run of N requests in which one tag has a distinct value per request: the
k6 mistake of dynamic URLs in the `name` tag (`--distinct name`, the default), or a distinct `url` with a
constant `name` (`--distinct url`, what k6 writes when the script names its requests). Three points per
request (http_req_duration, http_reqs, http_req_failed), deterministic (seeded).
Usage: gen_k6_many_tags.py OUT N [--distinct name|url]
"""
import json
import random
import sys


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    out, n = args[0], int(args[1])
    distinct = "url"
    if "--distinct" in sys.argv:
        distinct = sys.argv[sys.argv.index("--distinct") + 1]
    distinct = {"name": "name", "url": "url"}.get(distinct) or sys.exit("--distinct is name or url")
    rng = random.Random(17)
    with open(out, "w", encoding="utf-8") as f:
        for m, t, c in [("http_req_duration", "trend", "time"), ("http_reqs", "counter", "default"),
                        ("http_req_failed", "rate", "default")]:
            f.write(json.dumps({"type": "Metric", "data": {"name": m, "type": t, "contains": c,
                    "thresholds": [], "submetrics": None}, "metric": m}, separators=(",", ":")) + "\n")
        for i in range(n):
            ms, sec = i % 1000, i // 1000
            time = "2025-11-25T%02d:%02d:%02d.%03d000Z" % (12 + sec // 3600 % 12, sec // 60 % 60, sec % 60, ms)
            url = "http://127.0.0.1:8787/item/%d?session=%016x" % (i, rng.getrandbits(64))
            name = url if distinct == "name" else "http://127.0.0.1:8787/item/${id}"
            tags = ('{"expected_response":"true","group":"","method":"GET","name":"%s","proto":"HTTP/1.1",'
                    '"scenario":"default","status":"200","url":"%s"}' % (name, url))
            for m, v in (("http_req_duration", "%.6f" % rng.lognormvariate(3, 0.4)), ("http_reqs", "1"),
                         ("http_req_failed", "0")):
                f.write('{"metric":"%s","type":"Point","data":{"time":"%s","value":%s,"tags":%s}}\n'
                        % (m, time, v, tags))


if __name__ == "__main__":
    main()
