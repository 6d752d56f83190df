#!/usr/bin/python3
"""The peer of bench/rpc: libvirt's C client (python3-libvirt) calling virConnectGetLibVersion.

    /usr/bin/python3 bench/c_client_rpc.py URI SECONDS [THREADS [OP]]

OP is libversion (the default), capabilities (virConnectGetCapabilities), allstats
(virConnectGetAllDomainStats of every domain, default statistics) or openclose (virConnectOpen then
virConnectClose: each call is a whole connection).

Prints JSON {"calls": N, "seconds": S, "clientMicros": C} (C: getrusage of this process, user +
system, over the measured seconds, plus what its running child processes used meanwhile: the
OpenSSH client that qemu+ssh runs does the SSH client's work). With THREADS > 1 the calls come from that many threads on
one connection (libvirt releases the GIL during a call, so they overlap on the wire).
"""
import json
import os
import resource
import sys
import threading
import time

import libvirt

uri, seconds = sys.argv[1], float(sys.argv[2])
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 1
op = sys.argv[4] if len(sys.argv) > 4 else "libversion"
conn = libvirt.open(uri)


def openclose():
    libvirt.open(uri).close()


call = {
    "libversion": conn.getLibVersion,
    "capabilities": conn.getCapabilities,
    "allstats": lambda: conn.getAllDomainStats(),
    "openclose": openclose,
}[op]
for _ in range(20 if op == "openclose" else 200):  # warm-up
    call()

counts = [0] * threads
stop_at = [0.0]


def worker(i):
    n = 0
    while time.perf_counter() < stop_at[0]:
        call()
        n += 1
    counts[i] = n


def children_cpu():
    ticks = 0
    pids = set()
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/children") as f:
                pids.update(f.read().split())
        except OSError:  # a thread that ended meanwhile
            pass
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as st:
                fields = st.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return ticks * 1e6 / os.sysconf("SC_CLK_TCK")


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return (r.ru_utime + r.ru_stime) * 1e6 + children_cpu()


cpu0 = cpu()
start = time.perf_counter()
stop_at[0] = start + seconds
ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
elapsed = time.perf_counter() - start
used = cpu() - cpu0
conn.close()
print(json.dumps({"calls": sum(counts), "seconds": elapsed, "clientMicros": used}))
