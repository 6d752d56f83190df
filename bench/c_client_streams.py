#!/usr/bin/python3
"""The peer of bench/streams: libvirt's C client (python3-libvirt) uploading into or downloading
from a storage volume through virStorageVolUpload / virStorageVolDownload.

    /usr/bin/python3 bench/c_client_streams.py URI POOL VOLUME CHUNK

Connects once, prints {"ready": true}, then for each line "upload BYTES" or "download BYTES" on
stdin ("upload-file BYTES PATH": the file, through virStreamSendAll reading it, as virsh vol-upload) uploads BYTES (one random block of CHUNK bytes, over and over) or downloads BYTES from offset
0, CHUNK bytes per virStreamSend / virStreamRecv, and prints JSON {"bytes", "seconds", "cpu"} (cpu:
the process's CPU seconds, every thread of libvirt's client included). It stays connected between
transfers, as bench/streams-client.ts (our side) does, so every client starts each transfer from
the same state: an idle process with an open connection (a process started for each transfer would
begin it with its CPU warm from start-up, which on a VM is worth 10-20% on a 64 MiB transfer).
"""
import json
import os
import sys
import time

import libvirt

uri, pool_name, vol_name, chunk = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
conn = libvirt.open(uri)
vol = conn.storagePoolLookupByName(pool_name).storageVolLookupByName(vol_name)
block = os.urandom(chunk)


def transfer(what, size, path):
    st = conn.newStream(0)
    done = 0
    if what == "upload-file":
        # virsh vol-upload's way: virStreamSendAll with a source handler reading the file.
        fd = os.open(path, os.O_RDONLY)
        vol.upload(st, 0, size, 0)
        st.sendAll(lambda _st, nbytes, f: os.read(f, nbytes), fd)
        st.finish()
        os.close(fd)
        return size
    if what == "upload":
        vol.upload(st, 0, size, 0)
        while done < size:
            want = min(chunk, size - done)
            data = block if want == chunk else block[:want]
            off = 0
            while off < want:
                off += st.send(data[off:] if off else data)
            done += want
        st.finish()
    else:
        vol.download(st, 0, size, 0)
        while True:
            got = st.recv(chunk)
            if not got:
                break
            done += len(got)
        st.finish()
    return done


print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    what, size, *rest = line.split()
    cpu0 = time.process_time()
    start = time.perf_counter()
    done = transfer(what, int(size), rest[0] if rest else None)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu0
    print(json.dumps({"bytes": done, "seconds": elapsed, "cpu": cpu}), flush=True)
conn.close()
