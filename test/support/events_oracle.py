#!/usr/bin/python3
"""Event oracle: libvirt's own C client (libvirt-python with libvirt's default event loop) listens
for events on a daemon and prints them, so tests and benchmarks can compare what libvirt-rpc
receives with what the C client receives on the same daemon at the same time.

Usage:
    /usr/bin/python3 test/support/events_oracle.py URI [options]

Options:
    --register SPEC[,SPEC...]   what to register for (default domain:0). SPEC is
                                domain:ID   virConnectDomainEventRegisterAny(dom, ID, ...)
                                network:ID  virConnectNetworkEventRegisterAny(None, ID, ...)
                                pool:ID     virConnectStoragePoolEventRegisterAny(None, ID, ...)
                                nodedev:ID  virConnectNodeDeviceEventRegisterAny(None, ID, ...)
                                secret:ID   virConnectSecretEventRegisterAny(None, ID, ...)
                                qemu[:NAME] virConnectDomainQemuMonitorEventRegister(dom, NAME)
                                legacy      virConnectDomainEventRegister (lifecycle)
    --domain NAME               domain events of this domain only (server-side filter)
    --expect N                  collect quietly: after the N-th event print one
                                {"reached": N, "first": NS, "last": NS} line (CLOCK_MONOTONIC
                                nanoseconds of the first and last callback), then keep listening
    --stamps                    with --expect: the "reached" line also has "stamps", the
                                CLOCK_MONOTONIC nanoseconds of every callback
    With --expect the "reached" line also has "cpu": the CPU time (ns, all threads) this process
    used from "ready" until the N-th event.

stdout, JSON lines:
    {"ready": true}                                   every registration is in place
    {"family": "domain", "eventID": 0, "dom": NAME, "uuid": UUID, "args": [...], "t": NS}
                                                      one event (unless --expect); args are the
                                                      callback's arguments after the object
                                                      (lifecycle: [event, detail])
    {"family": "network"|"pool"|"nodedev"|"secret", "name": NAME, "uuid": UUID, "eventID": ID, "args": [...], "t": NS}
                                                      (a node device has no UUID: null; a secret's
                                                      name is its usage ID)
    {"family": "qemu", "dom": NAME, "event": QMP_NAME, "seconds": S, "micros": US, "details": TEXT, "t": NS}
    {"done": true, "count": N}                        stdin was closed: deregistered, exiting
Errors: {"error": MESSAGE} and exit status 2.

Debian's python3-libvirt is importable by /usr/bin/python3 only (not by a pyenv python3).
"""

import json
import sys
import threading
import time

import libvirt

try:
    import libvirt_qemu
except ImportError:  # pragma: no cover
    libvirt_qemu = None


def now_ns():
    return time.monotonic_ns()


class Printer:
    def __init__(self, expect, stamps):
        self.lock = threading.Lock()
        self.count = 0
        self.expect = expect
        self.stamps_wanted = stamps
        self.stamps = []
        self.first = None
        self.last = None
        self.cpu0 = 0

    def line(self, obj):
        with self.lock:
            sys.stdout.write(json.dumps(obj) + "\n")
            sys.stdout.flush()

    def event(self, make):
        t = now_ns()
        with self.lock:
            self.count += 1
            if self.expect:
                if self.first is None:
                    self.first = t
                self.last = t
                if self.stamps_wanted:
                    self.stamps.append(t)
                if self.count == self.expect:
                    out = {"reached": self.count, "first": self.first, "last": self.last, "cpu": time.process_time_ns() - self.cpu0}
                    if self.stamps_wanted:
                        out["stamps"] = self.stamps
                    sys.stdout.write(json.dumps(out) + "\n")
                    sys.stdout.flush()
                return
            obj = make()
            obj["t"] = t
            sys.stdout.write(json.dumps(obj, default=str) + "\n")
            sys.stdout.flush()


def safe(v):
    if isinstance(v, (int, float, str, bool)) or v is None:
        return v
    if isinstance(v, (list, tuple)):
        return [safe(x) for x in v]
    if isinstance(v, dict):
        return {str(k): safe(x) for k, x in v.items()}
    return str(v)


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    uri = args[0]
    specs = ["domain:0"]
    domain_name = None
    expect = 0
    stamps = False
    i = 1
    while i < len(args):
        if args[i] == "--register":
            specs = args[i + 1].split(",")
            i += 2
        elif args[i] == "--domain":
            domain_name = args[i + 1]
            i += 2
        elif args[i] == "--expect":
            expect = int(args[i + 1])
            i += 2
        elif args[i] == "--stamps":
            stamps = True
            i += 1
        else:
            print(json.dumps({"error": "unknown option " + args[i]}))
            return 2

    libvirt.virEventRegisterDefaultImpl()
    libvirt.registerErrorHandler(lambda *_: None, None)
    out = Printer(expect, stamps)
    try:
        conn = libvirt.open(uri)
    except libvirt.libvirtError as e:
        out.line({"error": str(e)})
        return 2

    stop = threading.Event()

    def loop():
        while not stop.is_set():
            libvirt.virEventRunDefaultImpl()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()

    dom = conn.lookupByName(domain_name) if domain_name else None
    ids = []

    def domain_cb(event_id):
        def cb(_conn, d, *rest):
            out.event(lambda: {"family": "domain", "eventID": event_id, "dom": d.name(), "uuid": d.UUIDString(), "args": safe(list(rest[:-1]))})
        return cb

    def other_cb(family, event_id):
        def ident(obj):
            if family == "nodedev":
                return obj.name(), None
            if family == "secret":
                return obj.usageID(), obj.UUIDString()
            return obj.name(), obj.UUIDString()

        def cb(_conn, obj, *rest):
            def make():
                name, uuid = ident(obj)
                return {"family": family, "eventID": event_id, "name": name, "uuid": uuid, "args": safe(list(rest[:-1]))}
            out.event(make)
        return cb

    def qemu_cb(_conn, d, event, seconds, micros, details, _opaque):
        out.event(lambda: {"family": "qemu", "dom": d.name(), "event": event, "seconds": seconds, "micros": micros, "details": details})

    def legacy_cb(_conn, d, event, detail, _opaque):
        out.event(lambda: {"family": "legacy", "eventID": 0, "dom": d.name(), "uuid": d.UUIDString(), "args": [event, detail]})

    deregister = []
    try:
        for spec in specs:
            kind, _, arg = spec.partition(":")
            if kind == "domain":
                eid = int(arg or 0)
                cid = conn.domainEventRegisterAny(dom, eid, domain_cb(eid), None)
                deregister.append(lambda cid=cid: conn.domainEventDeregisterAny(cid))
            elif kind == "network":
                eid = int(arg or 0)
                cid = conn.networkEventRegisterAny(None, eid, other_cb("network", eid), None)
                deregister.append(lambda cid=cid: conn.networkEventDeregisterAny(cid))
            elif kind == "pool":
                eid = int(arg or 0)
                cid = conn.storagePoolEventRegisterAny(None, eid, other_cb("pool", eid), None)
                deregister.append(lambda cid=cid: conn.storagePoolEventDeregisterAny(cid))
            elif kind == "nodedev":
                eid = int(arg or 0)
                cid = conn.nodeDeviceEventRegisterAny(None, eid, other_cb("nodedev", eid), None)
                deregister.append(lambda cid=cid: conn.nodeDeviceEventDeregisterAny(cid))
            elif kind == "secret":
                eid = int(arg or 0)
                cid = conn.secretEventRegisterAny(None, eid, other_cb("secret", eid), None)
                deregister.append(lambda cid=cid: conn.secretEventDeregisterAny(cid))
            elif kind == "qemu":
                cid = libvirt_qemu.qemuMonitorEventRegister(conn, dom, arg or None, qemu_cb, None, 0)
                deregister.append(lambda cid=cid: libvirt_qemu.qemuMonitorEventDeregister(conn, cid))
            elif kind == "legacy":
                conn.domainEventRegister(legacy_cb, None)
                deregister.append(lambda: conn.domainEventDeregister(legacy_cb))
            else:
                raise ValueError("unknown registration " + spec)
            ids.append(spec)
    except (libvirt.libvirtError, ValueError) as e:
        out.line({"error": str(e)})
        return 2

    out.cpu0 = time.process_time_ns()
    out.line({"ready": True})
    # Until stdin closes (the test or benchmark is done with us).
    for _ in sys.stdin:
        pass
    for d in deregister:
        try:
            d()
        except libvirt.libvirtError:
            pass
    out.line({"done": True, "count": out.count})
    stop.set()
    try:
        conn.close()
    except libvirt.libvirtError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
