#!/usr/bin/python3
"""oracle.py with two more targets, for test/integration/api-domains.test.ts:

    {"target": "snapshot", "domain": "dom", "name": "s1", "call": "getXMLDesc"}
                        conn.lookupByName("dom").snapshotLookupByName("s1").getXMLDesc()
    {"target": "qemu", "name": "dom", "call": "qemuMonitorCommand", "args": ["...", 0]}
                        libvirt_qemu.qemuMonitorCommand(conn.lookupByName("dom"), "...", 0)

Everything else (usage, stdin/stdout format) is oracle.py's.
"""

import importlib.util
import os
import sys

import libvirt_qemu

_spec = importlib.util.spec_from_file_location("oracle", os.path.join(os.path.dirname(os.path.abspath(__file__)), "oracle.py"))
oracle = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(oracle)
_base_resolve = oracle.resolve_target


class QemuDomain:
    """libvirt_qemu's functions, bound to one domain (their first argument)."""

    def __init__(self, dom):
        self.dom = dom

    def __getattr__(self, name):
        fn = getattr(libvirt_qemu, name)
        return lambda *args, **kwargs: fn(self.dom, *args, **kwargs)


def resolve_target(conn, spec):
    target = spec.get("target", "conn")
    if target == "snapshot":
        return conn.lookupByName(spec["domain"]).snapshotLookupByName(spec["name"])
    if target == "qemu":
        return QemuDomain(conn.lookupByName(spec["name"]))
    return _base_resolve(conn, spec)


oracle.resolve_target = resolve_target

if __name__ == "__main__":
    sys.exit(oracle.main(sys.argv))
