#!/usr/bin/python3
"""domains-oracle.py with what test/integration/api-more.test.ts needs on top:

    {"target": "checkpoint", "domain": "dom", "name": "c1", "call": "getXMLDesc", "args": [0]}
                        conn.lookupByName("dom").checkpointLookupByName("c1").getXMLDesc(0)
    {"target": "lxc", "name": "dom", "call": "lxcOpenNamespace", "args": [0]}
                        libvirt_lxc.lxcOpenNamespace(conn.lookupByName("dom"), 0)
    {"target": "qemuConn", "call": "qemuAttach", "args": [1234, 0]}
                        libvirt_qemu.qemuAttach(conn, 1234, 0)

Argument markers (anywhere in "args" or "kwargs", also nested):
    {"$tuple": [...]}   a Python tuple (libvirt-python wants tuples for CPU maps: pinVcpu(0, (True, False)))
    {"$intdict": [[k, v], ...]}
                        a dict with integer keys (allocPages({2048: 0}, ...))
    {"$stream": 0}      conn.newStream(0), for openConsole / openChannel; the stream is aborted
                        after the last call

"errorOnNone": true on a call: some libvirt-python wrappers return None instead of raising when
the C function fails (guestVcpus, migrateGetMaxDowntime, ...); then the result is
{"error": ...} from libvirt.virGetLastError() when an error is set.

Everything else (usage, stdin/stdout format) is oracle.py's.
"""

import importlib.util
import os
import sys

import libvirt
import libvirt_lxc
import libvirt_qemu

_here = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("domains_oracle", os.path.join(_here, "domains-oracle.py"))
domains_oracle = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(domains_oracle)
oracle = domains_oracle.oracle
_base_resolve = oracle.resolve_target
_base_run_call = oracle.run_call
_streams = []


class Bound:
    """A module's functions with their first argument bound (a domain or the connection)."""

    def __init__(self, module, first):
        self.module = module
        self.first = first

    def __getattr__(self, name):
        fn = getattr(self.module, name)
        return lambda *args, **kwargs: fn(self.first, *args, **kwargs)


def resolve_target(conn, spec):
    target = spec.get("target")
    if target == "checkpoint":
        return conn.lookupByName(spec["domain"]).checkpointLookupByName(spec["name"])
    if target == "lxc":
        return Bound(libvirt_lxc, conn.lookupByName(spec["name"]))
    if target == "qemuConn":
        return Bound(libvirt_qemu, conn)
    return _base_resolve(conn, spec)


def unmark(conn, value):
    if isinstance(value, list):
        return [unmark(conn, v) for v in value]
    if isinstance(value, dict):
        if set(value) == {"$tuple"}:
            return tuple(unmark(conn, v) for v in value["$tuple"])
        if set(value) == {"$intdict"}:
            return {int(k): unmark(conn, v) for k, v in value["$intdict"]}
        if set(value) == {"$stream"}:
            st = conn.newStream(value["$stream"])
            _streams.append(st)
            return st
        return {k: unmark(conn, v) for k, v in value.items()}
    return value


def error_from_tuple(err):
    code, domain, message, level, str1, str2, str3, int1, int2 = err
    return {"code": code, "domain": domain, "message": message, "level": level,
            "str1": str1, "str2": str2, "str3": str3, "int1": int1, "int2": int2}


def run_call(conn, spec):
    spec = dict(spec)
    if "args" in spec:
        spec["args"] = unmark(conn, spec["args"])
    if "kwargs" in spec:
        spec["kwargs"] = unmark(conn, spec["kwargs"])
    if not spec.get("errorOnNone"):
        return _base_run_call(conn, spec)
    # As oracle.run_call, but the last error is read while the target object still lives: freeing
    # it (virDomainFree) resets the thread's last error.
    try:
        obj = resolve_target(conn, spec)
        libvirt.virResetLastError()
        value = getattr(obj, spec["call"])(*spec.get("args", []), **spec.get("kwargs", {}))
        err = libvirt.virGetLastError() if value is None else None
        if err is not None:
            return {"error": error_from_tuple(err)}
        return {"ok": oracle.jsonable(value)}
    except libvirt.libvirtError as e:
        return {"error": oracle.libvirt_error(e)}
    except Exception as e:  # a bad call description is a result too, not a crash
        return {"error": {"exception": type(e).__name__, "message": str(e)}}


def main(argv):
    try:
        return oracle.main(argv)
    finally:
        for st in _streams:
            try:
                st.abort()
            except Exception:  # the connection is closed by then: nothing left to abort
                pass


oracle.resolve_target = resolve_target
oracle.run_call = run_call

if __name__ == "__main__":
    sys.exit(main(sys.argv))
