// virshControl: the connection virsh keeps (opened lazily, reopened after a disconnect, with
// virsh's keepalive settings and close callback) and the per-connection fallbacks it remembers.

import { closeReasonCode, connect, type CloseReason, type Connection } from '../../index.js';
import { VshControl, type ShellIO } from '../vsh/control.js';
import type { CmdGroup } from '../vsh/cmd.js';
import type { Completers } from '../vsh/completion.js';
import { defaultAuth } from './auth.js';

export class VirshControl extends VshControl {
  readonly name = 'virsh';
  readonly envPrefix = 'VIRSH';
  /** The URI of -c or `connect` (null: libvirt's default). */
  connname: string | null = null;
  conn: Connection | null = null;
  readonly = false;
  /** The console escape: "^]" or one character. */
  escapeChar = '^]';
  keepaliveInterval = -1;
  keepaliveCount = -1;
  /** virDomainGetState is unsupported: use virDomainGetInfo. */
  useGetInfo = false;
  useSnapshotOld = false;
  blockJobNoBytes = false;

  constructor(groups: readonly CmdGroup<VshControl>[], io: ShellIO, progname: string, completers: Completers<VirshControl> = {}) {
    super(groups, io, progname, completers as Completers<VshControl>);
  }

  protected prompt(): string {
    return this.readonly ? 'virsh > ' : 'virsh # ';
  }

  /** virshConnect: open `uri` with the default credentials prompt and virsh's keepalive. */
  async openConnection(uri: string | null, readonly: boolean): Promise<Connection | null> {
    let interval = 5;
    let count = 6;
    if (this.keepaliveInterval >= 0) interval = this.keepaliveInterval;
    if (this.keepaliveCount >= 0) count = this.keepaliveCount;
    try {
      return await connect(uri ?? undefined, {
        readOnly: readonly,
        auth: defaultAuth(this.io),
        timeout: 0,
        keepAlive: interval > 0 ? { interval, count } : false,
        env: this.io.env,
      });
    } catch (e) {
      this.saveError(e);
      return null;
    }
  }

  /** virshReconnect. */
  async reconnect(name: string | null, readonly: boolean, force: boolean): Promise<boolean> {
    let connected = false;
    if (!readonly && name === null) readonly = this.readonly;
    if (this.conn) {
      connected = true;
      const old = this.conn;
      this.conn = null;
      old.off('close', this.onClose);
      await old.close().catch(() => this.error('Failed to disconnect from the hypervisor'));
    }
    const conn = await this.openConnection(name ?? this.connname, readonly);
    if (!conn) {
      this.error(this.disconnected ? 'Failed to reconnect to the hypervisor' : 'failed to connect to the hypervisor');
      return false;
    }
    this.conn = conn;
    if (name !== null) this.connname = name;
    this.readonly = readonly;
    conn.on('close', this.onClose);
    if (connected && !force) this.error('Reconnected to the hypervisor');
    this.disconnected = 0;
    this.useGetInfo = false;
    this.useSnapshotOld = false;
    this.blockJobNoBytes = false;
    return true;
  }

  /** virshCatchDisconnect: the daemon went away (not our own close). */
  private readonly onClose = (reason: CloseReason) => {
    const code = closeReasonCode(reason);
    // VIR_CONNECT_CLOSE_REASON_ERROR 0, EOF 1, KEEPALIVE 2, CLIENT 3
    const uri = this.connname ?? this.conn?.uri ?? '';
    if (code === 3) return;
    const text = code === 1 ? `Disconnected from ${uri} due to end of file` : code === 2 ? `Disconnected from ${uri} due to keepalive timeout` : `Disconnected from ${uri} due to I/O error`;
    this.error(text);
    this.disconnected++;
  };

  /** virshConnectionHandler. */
  protected async connHandler(): Promise<boolean> {
    if ((!this.conn || this.disconnected) && !(await this.reconnect(null, false, false))) return false;
    if (!this.conn || !(await this.conn.isAlive().catch(() => true))) {
      this.error('no valid connection');
      return false;
    }
    this.resetError();
    return true;
  }

  /** virshInit: a connection named with -c must open at start. */
  async openAtStart(): Promise<boolean> {
    if (await this.reconnect(null, false, false)) return true;
    this.reportError();
    return false;
  }

  /** Closes the connection at exit (virshDeinit). */
  async deinit(): Promise<void> {
    this.closeLogFile();
    const c = this.conn;
    this.conn = null;
    if (c) {
      c.off('close', this.onClose);
      await c.close().catch(() => this.error('Failed to disconnect from the hypervisor'));
    }
  }
}
