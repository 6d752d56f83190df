// SASL test set-up: a sasldb with a user (saslpasswd2 from Debian's sasl2-bin), libvirtd's SASL
// application config (sasl2/libvirt.conf) in a private /etc overlay the daemon is started in, and
// the open sequence connect() follows once authenticateSasl is wired into it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '../../src/api/connection.js';
import { connect } from '../../src/api/open.js';
import { asLibvirtError } from '../../src/errors/errors.js';
import { authenticateSasl, chooseAuthType, type ConnectAuth, type SaslOptions, SaslTransport } from '../../src/rpc/sasl.js';
import { resolveTarget } from '../../src/uri/uri.js';
import { RpcEngine } from '../../src/rpc/engine.js';
import { REMOTE_AUTH_POLKIT, REMOTE_AUTH_SASL, remote_procedures } from '../../src/protocol/generated/remote.js';
import { openTcp } from '../../src/transport/socket.js';
import { openTls } from '../../src/transport/tls.js';
import type { Transport } from '../../src/transport/transport.js';

export function saslpasswdAvailable(): boolean {
  try {
    execFileSync('saslpasswd2', ['-v'], { stdio: 'ignore' });
    return true;
  } catch (e) {
    // saslpasswd2 -v prints its version and exits 0 on some builds, 1 on others.
    return (e as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

export interface SaslSetup {
  /** argv prefix that gives the daemon a private /etc with sasl2/libvirt.conf. */
  readonly startPrefix: string[];
  /** Writes an auth.conf with these credentials for every host; returns its path. */
  authFile(name: string, authname: string, password: string): string;
}

/** A sasldb with `users`, and libvirt's SASL config offering `mechs`, under `dir`. */
export function makeSaslSetup(dir: string, mechs: string[], users: Record<string, string>): SaslSetup {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'etc-upper/sasl2'), { recursive: true });
  mkdirSync(join(dir, 'etc-work'), { recursive: true });
  const db = join(dir, 'passwd.db');
  for (const [user, password] of Object.entries(users)) {
    execFileSync('saslpasswd2', ['-p', '-a', 'libvirt', '-f', db, '-c', user], { input: password, stdio: ['pipe', 'ignore', 'pipe'] });
  }
  writeFileSync(join(dir, 'etc-upper/sasl2/libvirt.conf'), `mech_list: ${mechs.join(' ')}\nsasldb_path: ${db}\n`);
  return {
    // An overlay on /etc where the kernel allows it; else a bind mount on /etc/sasl2 (the empty
    // directory is created on the host when missing).
    startPrefix: [
      'unshare', '--mount', '--propagation', 'private', '--', 'sh', '-ec',
      `if ! mount -t overlay overlay -o lowerdir=/etc,upperdir=${join(dir, 'etc-upper')},workdir=${join(dir, 'etc-work')} /etc 2>/dev/null; then
         mkdir -p /etc/sasl2; mount --bind ${join(dir, 'etc-upper/sasl2')} /etc/sasl2
       fi
       exec "$@"`,
      'sasl-etc',
    ],
    authFile(name: string, authname: string, password: string): string {
      const path = join(dir, `${name}.auth.conf`);
      writeFileSync(path, `[credentials-test]\nauthname=${authname}\npassword=${password}\n\n[auth-libvirt-default]\ncredentials=test\n`);
      return path;
    },
  };
}

export interface SaslConnectOptions {
  auth?: ConnectAuth;
  env?: NodeJS.ProcessEnv;
  /** Use this transport (default: openTls / openTcp for the URI). */
  transport?: Transport;
  /** Do not wrap the transport in a SaslTransport (it then cannot carry a security layer). */
  unwrapped?: boolean;
  digestCiphers?: SaslOptions['digestCiphers'];
  installLayer?: SaslOptions['installLayer'];
}

/**
 * connect() with SASL: the transport wrapped in a SaslTransport before the engine is built on it,
 * AUTH_LIST, chooseAuthType, authenticateSasl, CONNECT_OPEN (what the lead wires into connect()).
 */
export async function connectWithSasl(uri: string, o: SaslConnectOptions = {}): Promise<Connection> {
  // The plain case is what connect() itself does (authentication by the URI's and the daemon's choice).
  if (!o.transport && !o.unwrapped && !o.digestCiphers && !o.installLayer) return connect(uri, { auth: o.auth, env: o.env });
  const target = resolveTarget(uri, { env: o.env });
  const inner = o.transport ?? (target.transport === 'tls' ? await openTls(target, { env: o.env }) : await openTcp(target.host!, target.port!));
  const transport = o.unwrapped ? inner : new SaslTransport(inner);
  const engine = new RpcEngine(transport.stream);
  try {
    const { types } = await engine.call(remote_procedures.REMOTE_PROC_AUTH_LIST, undefined);
    const { type, mechanism } = chooseAuthType(types, target.options.auth);
    if (type === REMOTE_AUTH_SASL) await authenticateSasl(engine, target, { transport, auth: o.auth, env: o.env, mechanism, digestCiphers: o.digestCiphers, installLayer: o.installLayer });
    else if (type === REMOTE_AUTH_POLKIT) await engine.call(remote_procedures.REMOTE_PROC_AUTH_POLKIT, undefined);
    await engine.call(remote_procedures.REMOTE_PROC_CONNECT_OPEN, { name: target.serverURI, flags: 0 });
  } catch (e) {
    engine.close();
    throw asLibvirtError(e);
  }
  return new Connection(uri, target, transport, engine);
}
