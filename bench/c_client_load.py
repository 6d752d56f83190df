#!/usr/bin/python3
"""The C client's side of bench/load: libvirt's C client (python3-libvirt) doing what
bench/load-client.ts does: N connections with keepalive, one virConnectGetLibVersion each, held
idle, then closed.

    /usr/bin/python3 bench/c_client_load.py URI N THREADS IDLE_SECONDS

Prints the same JSON as bench/load-client.ts (after the first N are measured idle, N more are
opened, called and held idle the same way: rssIdleSecond is the RSS then, the marginal cost). Keepalive needs libvirt's default event loop, run in
a thread as libvirt-python's examples do. THREADS > 1 opens from that many threads (virConnectOpen
blocks; libvirt releases the GIL while it waits).
"""
import json
import re
import sys
import threading
import time

import libvirt

uri, n, threads, idle = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])


def vm_rss():
    with open('/proc/self/status') as f:
        return int(re.search(r'^VmRSS:\s+(\d+) kB$', f.read(), re.M).group(1)) * 1024


libvirt.virEventRegisterDefaultImpl()
threading.Thread(target=lambda: [libvirt.virEventRunDefaultImpl() for _ in iter(int, 1)], daemon=True).start()

warm = libvirt.open(uri)
warm.getLibVersion()
warm.close()
rss_before = vm_rss()

conns = []
lock = threading.Lock()
todo = [n]


def opener():
    while True:
        with lock:
            if todo[0] == 0:
                return
            todo[0] -= 1
        c = libvirt.open(uri)
        c.setKeepAlive(5, 6)
        with lock:
            conns.append(c)


def batch():
    """Opens N more connections, calls each once, idles; returns (open, call seconds, RSS idle)."""
    todo[0] = n
    first = len(conns)
    t = time.perf_counter()
    ts = [threading.Thread(target=opener) for _ in range(threads)]
    for x in ts:
        x.start()
    for x in ts:
        x.join()
    open_s = time.perf_counter() - t
    t = time.perf_counter()
    for c in conns[first:]:
        c.getLibVersion()
    call_s = time.perf_counter() - t
    time.sleep(idle)
    rss = vm_rss()
    dropped = sum(1 for c in conns if not c.isAlive())
    if dropped:
        raise SystemExit(f'{dropped} connections closed while idle')
    return open_s, call_s, rss


open_seconds, call_seconds, rss_idle = batch()
_, _, rss_idle_second = batch()

t = time.perf_counter()
for c in conns:
    c.close()
close_seconds = time.perf_counter() - t

print(json.dumps({'connections': n, 'openSeconds': open_seconds, 'callSeconds': call_seconds, 'closeSeconds': close_seconds, 'rssBefore': rss_before, 'rssIdle': rss_idle, 'rssIdleSecond': rss_idle_second}))
