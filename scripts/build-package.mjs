#!/usr/bin/env node
// prepack: the published dist/src, built afresh from src/ without source maps (the package does not
// ship src/, so maps pointing at it would be dangling), with declarations. Built beside dist/src and
// then swapped in, so a process still loading modules from dist/src never finds it missing for long.
import { spawnSync } from 'node:child_process';
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const staging = join(root, 'dist/.pack');
rmSync(staging, { recursive: true, force: true });
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.pack.json'), '--outDir', staging], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
rmSync(join(root, 'dist/src'), { recursive: true, force: true });
renameSync(join(staging, 'src'), join(root, 'dist/src'));
rmSync(staging, { recursive: true, force: true });
