#!/usr/bin/python3
"""C-client oracle for the integration tests: libvirt's own client (libvirt-python) makes the calls.

Usage:
    /usr/bin/python3 test/support/oracle.py [--readonly] URI < calls.json

stdin is a JSON array of calls, all made in order on one connection:
    {"call": "getLibVersion"}                          conn.getLibVersion()
    {"call": "lookupByName", "args": ["nope"]}         conn.lookupByName("nope")
    {"target": "domain", "name": "test", "call": "info"}
                                                       conn.lookupByName("test").info()
    {"target": "domain", "name": "test", "call": "setMemory", "args": [1024], "kwargs": {}}
"target" (default "conn") is one of the keys of TARGETS below; "name" is the argument of the
lookup (a UUID string for "secret" and "networkPort", a path for "storageVol"; "networkPort"
also needs "network"). "args" (a list) and "kwargs" (an object) are optional; JSON null is None.

stdout is a JSON array with one result per call:
    {"ok": VALUE}
    {"error": {"code", "domain", "message", "level", "str1", "str2", "str3", "int1", "int2"}}
                       a libvirtError (its get_error_code() ... get_int2())
    {"error": {"exception": "TypeError", "message": "..."}}   any other Python exception
VALUE is made JSON-safe: ints stay ints (however large), tuples become lists, dict keys strings,
bytes become {"$bytes": "<base64>"}, and libvirt objects become their name (UUID string for
secrets and network ports, path for storage volumes, port device for nwfilter bindings).
If the connection cannot be opened, stdout is a single {"error": ...} object and the exit status 2.

Debian's python3-libvirt is importable by /usr/bin/python3 only (not by a pyenv python3).
"""

import base64
import json
import sys

import libvirt

# target -> (connection method that looks the object up, what JSON key holds its argument)
TARGETS = {
    "domain": "lookupByName",
    "network": "networkLookupByName",
    "storagePool": "storagePoolLookupByName",
    "storageVol": "storageVolLookupByPath",
    "nodeDevice": "nodeDeviceLookupByName",
    "interface": "interfaceLookupByName",
    "secret": "secretLookupByUUIDString",
    "nwfilter": "nwfilterLookupByName",
    "nwfilterBinding": "nwfilterBindingLookupByPortDev",
}


def libvirt_error(e):
    return {
        "code": e.get_error_code(),
        "domain": e.get_error_domain(),
        "message": e.get_error_message(),
        "level": e.get_error_level(),
        "str1": e.get_str1(),
        "str2": e.get_str2(),
        "str3": e.get_str3(),
        "int1": e.get_int1(),
        "int2": e.get_int2(),
    }


def object_name(obj):
    if isinstance(obj, (libvirt.virSecret, libvirt.virNetworkPort)):
        return obj.UUIDString()
    if isinstance(obj, libvirt.virStorageVol):
        return obj.path()
    if isinstance(obj, libvirt.virNWFilterBinding):
        return obj.portDev()
    if hasattr(obj, "getName"):  # snapshots, checkpoints
        return obj.getName()
    return obj.name()


LIBVIRT_OBJECTS = tuple(
    getattr(libvirt, n)
    for n in ("virDomain", "virNetwork", "virNetworkPort", "virStoragePool", "virStorageVol",
              "virNodeDevice", "virInterface", "virSecret", "virNWFilter", "virNWFilterBinding",
              "virDomainSnapshot", "virDomainCheckpoint")
    if hasattr(libvirt, n))


def jsonable(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, LIBVIRT_OBJECTS):
        return object_name(value)
    return repr(value)


def resolve_target(conn, spec):
    target = spec.get("target", "conn")
    if target == "conn":
        return conn
    if target == "networkPort":
        return conn.networkLookupByName(spec["network"]).portLookupByUUIDString(spec["name"])
    if target not in TARGETS:
        raise ValueError("unknown target %r" % target)
    return getattr(conn, TARGETS[target])(spec["name"])


def run_call(conn, spec):
    try:
        obj = resolve_target(conn, spec)
        method = getattr(obj, spec["call"])
        return {"ok": jsonable(method(*spec.get("args", []), **spec.get("kwargs", {})))}
    except libvirt.libvirtError as e:
        return {"error": libvirt_error(e)}
    except Exception as e:  # a bad call description is a result too, not a crash
        return {"error": {"exception": type(e).__name__, "message": str(e)}}


def main(argv):
    args = argv[1:]
    readonly = "--readonly" in args
    args = [a for a in args if a != "--readonly"]
    if len(args) != 1:
        sys.stderr.write(__doc__)
        return 64
    uri = args[0]
    calls = json.load(sys.stdin)
    if not isinstance(calls, list):
        sys.stderr.write("oracle: stdin must be a JSON array of calls\n")
        return 64

    # libvirt's default handler prints every error to stderr; they are reported in the JSON instead.
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    try:
        conn = libvirt.openReadOnly(uri) if readonly else libvirt.open(uri)
    except libvirt.libvirtError as e:
        json.dump({"error": libvirt_error(e)}, sys.stdout)
        sys.stdout.write("\n")
        return 2
    try:
        results = [run_call(conn, spec) for spec in calls]
    finally:
        try:
            conn.close()
        except libvirt.libvirtError:
            pass
    json.dump(results, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
