#!/usr/bin/python3
"""Peak memory of the PostgreSQL processes that run a benchmark query.

    pgmem.py POSTMASTER_PID OUTFILE

Every 0.1 s, sums the proportional set size (Pss, /proc/PID/smaps_rollup: shared pages split
between the processes that share them, so nothing is counted twice) of the postmaster's
children that serve a client connection or are parallel workers (not the checkpointer,
WAL writer, ...). On SIGTERM writes the largest sum seen, in kB, to OUTFILE."""
import signal
import sys
import time

postmaster, outfile = int(sys.argv[1]), sys.argv[2]
peak = 0
running = True


def stop(*_):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)
SKIP = ("checkpointer", "background writer", "walwriter", "autovacuum launcher",
        "logical replication launcher", "stats collector", "archiver")


def children():
    try:
        with open(f"/proc/{postmaster}/task/{postmaster}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def pss(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().decode(errors="replace")
        if any(s in cmd for s in SKIP):
            return 0
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


while running:
    peak = max(peak, sum(pss(p) for p in children()))
    time.sleep(0.1)
with open(outfile, "w") as f:
    f.write(f"{peak}\n")
