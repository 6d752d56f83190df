#!/usr/bin/env node
// virsh-rpc: virsh's command line over libvirt-rpc (no libvirt on this machine).
import { virshMain } from '../dist/src/cli/virsh/main.js';

process.exitCode = await virshMain(process.argv.slice(2), undefined, 'virsh');
