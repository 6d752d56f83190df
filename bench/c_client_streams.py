#!/usr/bin/python3
"""The peer of bench/streams: libvirt's C client (python3-libvirt) uploading into or downloading
from a storage volume through virStorageVolUpload / virStorageVolDownload.

    /usr/bin/python3 bench/c_client_streams.py URI POOL VOLUME upload|download BYTES CHUNK

Uploads BYTES (one random block of CHUNK bytes, over and over) or downloads BYTES from offset 0,
CHUNK bytes per virStreamSend / virStreamRecv, and prints JSON {"bytes", "seconds", "cpu"} (cpu:
the process's CPU seconds, every thread of libvirt's client included).
"""
import json
import os
import sys
import time

import libvirt

uri, pool_name, vol_name, what, size, chunk = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
conn = libvirt.open(uri)
vol = conn.storagePoolLookupByName(pool_name).storageVolLookupByName(vol_name)
block = os.urandom(chunk)

cpu0 = time.process_time()
start = time.perf_counter()
st = conn.newStream(0)
done = 0
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
elapsed = time.perf_counter() - start
cpu = time.process_time() - cpu0
conn.close()
print(json.dumps({"bytes": done, "seconds": elapsed, "cpu": cpu}))
