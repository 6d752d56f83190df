// Our side of bench/streams, in a process of its own as the C client's side is
// (bench/c_client_streams.py): connects once, prints {"ready": true}, then for each line
// "upload BYTES" or "download BYTES" on stdin moves BYTES through a Stream ("upload-file BYTES
// PATH": the file's BYTES with sendAll(readFileChunks(PATH, { reuse: true })), "upload-pipeline
// BYTES PATH": with pipeline(createReadStream(PATH), st.toWritable()), "upload-pipeline-large": the
// same with createReadStream's highWaterMark FILE_CHUNK_SIZE) and prints one JSON
// line, a StreamRun. One process per way of reading, each only ever doing its own kind of transfer,
// so each is measured at the steady state a program doing just that reaches (its code optimized,
// its heap and its garbage its own) with no collection forced between transfers.
//   node dist/bench/streams-client.js URI POOL VOLUME CHUNK MODE
// MODE: "for await" (the chunks are the caller's: fresh buffers), "reuse" (chunks({ reuse: true }):
// lent chunks, packet buffers recycled), "reuse, busy poll" (the same with busy polling on).
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { FILE_CHUNK_SIZE, readFileChunks } from '../src/api/file-chunks.js';
import { connect } from '../src/api/open.js';
import { BUSY_POLL, READ_MODES, type ReadMode, type StreamRun } from './common.js';

const [uri, poolName, volName, chunkArg, mode] = process.argv.slice(2) as [string, string, string, string, ReadMode];
if (!READ_MODES.includes(mode)) throw new Error(`unknown mode ${mode}`);
const chunk = Number(chunkArg);
const conn = await connect(uri);
const vol = await (await conn.storagePoolLookupByName(poolName)).storageVolLookupByName(volName);
const block = randomBytes(chunk);
conn.setBusyPoll(mode === 'reuse, busy poll' ? BUSY_POLL : 0);

async function transfer(what: string, size: number, path: string | undefined): Promise<number> {
  const st = conn.newStream();
  let done = 0;
  if (what === 'upload-file' || what.startsWith('upload-pipeline')) {
    await vol.upload(st, 0n, BigInt(size), 0);
    if (what === 'upload-file') await st.sendAll(readFileChunks(path!, { reuse: true }));
    else if (what === 'upload-pipeline-large') await pipeline(createReadStream(path!, { highWaterMark: FILE_CHUNK_SIZE }), st.toWritable());
    else await pipeline(createReadStream(path!), st.toWritable());
    done = size;
  } else if (what === 'upload') {
    await vol.upload(st, 0n, BigInt(size), 0);
    while (done < size) {
      const n = Math.min(chunk, size - done);
      await st.send(n === chunk ? block : block.subarray(0, n));
      done += n;
    }
    await st.finish();
  } else {
    await vol.download(st, 0n, BigInt(size), 0);
    for await (const c of mode === 'for await' ? st : st.chunks({ reuse: true })) done += c.length;
  }
  return done;
}

console.log(JSON.stringify({ ready: true }));
for await (const line of createInterface({ input: process.stdin })) {
  const [what, size, path] = line.split(' ');
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const bytes = await transfer(what!, Number(size), path);
  const seconds = (performance.now() - start) / 1000;
  const c = process.cpuUsage(cpu0);
  const run: StreamRun = { bytes, seconds, cpu: (c.user + c.system) / 1e6 };
  console.log(JSON.stringify(run));
}
await conn.close();
