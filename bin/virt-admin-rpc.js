#!/usr/bin/env node
// virt-admin-rpc: virt-admin's command line over libvirt-rpc's admin API.
import { virtAdminMain } from '../dist/src/cli/virt-admin/main.js';

process.exitCode = await virtAdminMain(process.argv.slice(2), undefined, 'virt-admin');
