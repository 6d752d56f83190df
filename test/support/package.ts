// The package as a user gets it: `npm pack`, then installed into an empty folder.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../..', import.meta.url).pathname;

export interface PackedFile {
  path: string;
  size: number;
}

export interface InstalledPackage {
  /** The folder the package is installed in (node_modules/libvirt-rpc beneath it). */
  dir: string;
  tarball: string;
  /** The tarball's size in bytes, and the unpacked size. */
  size: number;
  unpackedSize: number;
  files: PackedFile[];
}

/** Packs this checkout (prepack builds dist/src) and installs the tarball into a new empty folder. */
export function packAndInstall(): InstalledPackage {
  const work = mkdtempSync('/tmp/libvirt-rpc-pack-');
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const [info] = JSON.parse(out.slice(out.indexOf('['))) as { filename: string; size: number; unpackedSize: number; files: PackedFile[] }[];
  const tarball = join(work, info!.filename);
  const dir = join(work, 'app');
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }) + '\n');
  // Scripts off, as a cautious user installs: the package must work without any.
  execFileSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  return { dir, tarball, size: info!.size, unpackedSize: info!.unpackedSize, files: info!.files };
}

/** Runs `node` with these arguments in the installed package's folder and returns its stdout. */
export function nodeIn(dir: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(process.execPath, args, { cwd: dir, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
}
