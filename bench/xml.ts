/**
 * Parse and format throughput of libvirt-rpc/xml over libvirt 9.0.0's schema-test corpus (every
 * document tests/virschematest.c validates; fetched by scripts/libvirt-source), beside
 * fast-xml-parser building untyped objects from the same texts and writing them back.
 *
 *   npm run bench:xml [-- --json] [--seconds=1]
 *
 * Ours: `parseLibvirtXML(text)` (the reader plus the generated typed parsers: kind, numbers,
 * bigints, unknown content kept) and `formatLibvirtXML(doc)`; also the reader alone
 * (`parseXmlTree`). fast-xml-parser: `new XMLParser({ ignoreAttributes: false }).parse(text)`
 * and `new XMLBuilder({ ignoreAttributes: false, format: true }).build(obj)`. Each side runs over
 * the whole corpus per pass; passes alternate between the sides for the chosen time each; a
 * side's rate is the median of its passes. MB/s counts 10^6 bytes of corpus text per second, for
 * formatting too (the same documents, written instead of read).
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { formatLibvirtXML, type LibvirtXML, parseLibvirtXML } from '../src/xml/index.js';
import { parseXmlTree } from '../src/xml/tree.js';
import { loadCorpus } from '../test/support/xml-corpus.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const seconds = Number(args.find((a) => a.startsWith('--seconds='))?.slice(10) ?? '1');

const texts = loadCorpus().map((d) => d.text);
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
const docs: LibvirtXML[] = texts.map((t) => parseLibvirtXML(t));
const fxpOptions = { ignoreAttributes: false, attributeNamePrefix: '@_' };
const fxpParser = new XMLParser(fxpOptions);
const fxpBuilder = new XMLBuilder({ ...fxpOptions, format: true });
const fxpObjects: unknown[] = texts.map((t) => fxpParser.parse(t) as unknown);

let sink = 0;
const sides: Record<string, () => void> = {
  'ours: parse (typed)': () => {
    for (const t of texts) sink += parseLibvirtXML(t).kind.length;
  },
  'ours: reader only (element tree)': () => {
    for (const t of texts) sink += parseXmlTree(t).children.length;
  },
  'fast-xml-parser: parse (untyped)': () => {
    for (const t of texts) sink += Object.keys(fxpParser.parse(t) as object).length;
  },
  'ours: format': () => {
    for (const d of docs) sink += formatLibvirtXML(d).length;
  },
  'fast-xml-parser: build': () => {
    for (const o of fxpObjects) sink += (fxpBuilder.build(o) as string).length;
  },
};

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  return s[s.length >> 1]!;
}

const names = Object.keys(sides);
for (const n of names) sides[n]!(); // warm-up
const passes = new Map<string, number[]>(names.map((n) => [n, []]));
const spent = new Map<string, number>(names.map((n) => [n, 0]));
while (names.some((n) => spent.get(n)! < seconds * 1000 || passes.get(n)!.length < 3)) {
  for (const n of names) {
    const t0 = performance.now();
    sides[n]!();
    const ms = performance.now() - t0;
    passes.get(n)!.push(ms);
    spent.set(n, spent.get(n)! + ms);
  }
}
const results = names.map((n) => {
  const ms = median(passes.get(n)!);
  return { side: n, passes: passes.get(n)!.length, msPerPass: Number(ms.toFixed(1)), mbPerSecond: Number((bytes / 1e6 / (ms / 1000)).toFixed(1)) };
});
if (json) console.log(JSON.stringify({ documents: texts.length, bytes, results, sink }));
else {
  console.log(`corpus: ${texts.length} documents, ${(bytes / 1e6).toFixed(2)} MB (node ${process.version})`);
  for (const r of results) console.log(`${r.side.padEnd(36)} ${String(r.mbPerSecond).padStart(7)} MB/s  (${r.msPerPass} ms per pass, median of ${r.passes})`);
  if (sink === 0) console.log('');
}
