#!/usr/bin/env python3
"""Times commands interleaved (ABBA…, so that drift on a shared machine hits all alike): per command the
median wall time, CPU time (user + system) and peak RSS, with min–max. Usage:
interleave.py [-n ROUNDS] [--bytes N] NAME=COMMAND NAME=COMMAND …   (each COMMAND run with sh -c)
"""
import os
import statistics
import subprocess
import sys
import time


def run(cmd):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {cmd}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024


def main():
    args = sys.argv[1:]
    rounds, size = 7, None
    while args and args[0].startswith("-"):
        opt = args.pop(0)
        if opt == "-n":
            rounds = int(args.pop(0))
        elif opt == "--bytes":
            size = int(args.pop(0))
    cmds = [a.split("=", 1) for a in args]
    res = {name: [] for name, _ in cmds}
    for r in range(rounds):
        order = cmds if r % 2 == 0 else cmds[::-1]
        for name, cmd in order:
            res[name].append(run(cmd))
    print(f"{rounds} interleaved rounds; median [min–max]")
    for name, _ in cmds:
        w, c, m = zip(*res[name])
        line = f"{name:>12}: wall {statistics.median(w):6.3f} s [{min(w):.3f}–{max(w):.3f}]"
        line += f"  cpu {statistics.median(c):6.3f} s [{min(c):.3f}–{max(c):.3f}]  peak {max(m):6.1f} MiB"
        if size:
            line += f"  {size / 1e6 / statistics.median(w):6.0f} MB/s"
        print(line)


if __name__ == "__main__":
    main()
