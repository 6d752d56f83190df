// vshAdmControl: virt-admin's connection to a daemon's admin server, opened lazily and reopened
// when it is found dead, as virt-admin.c does.

import { closeReasonCode, connectAdmin, type AdminConnection, type CloseReason } from '../../index.js';
import { VshControl, type ShellIO } from '../vsh/control.js';
import type { CmdGroup } from '../vsh/cmd.js';
import type { Completer } from '../vsh/completion.js';

export class AdminControl extends VshControl {
  readonly name = 'virt-admin';
  readonly envPrefix = 'VIRT_ADMIN';
  connname: string | null = null;
  conn: AdminConnection | null = null;
  wantReconnect = false;

  constructor(groups: readonly CmdGroup<VshControl>[], io: ShellIO, progname: string, completers: Readonly<Record<string, Completer<AdminControl>>> = {}) {
    super(groups, io, progname, completers as Readonly<Record<string, Completer<VshControl>>>);
  }

  protected prompt(): string {
    return 'virt-admin # ';
  }

  /** vshAdmConnect. */
  async connect(): Promise<boolean> {
    try {
      this.conn = await connectAdmin(this.connname, { timeout: 0, env: this.io.env });
    } catch (e) {
      this.saveError(e);
      this.conn = null;
      this.error(this.wantReconnect ? 'Failed to reconnect to the admin server' : 'Failed to connect to the admin server');
      return false;
    }
    this.conn.on('close', this.onClose);
    if (this.wantReconnect) this.print('Reconnected to the admin server\n');
    return true;
  }

  /** vshAdmDisconnect. */
  async disconnect(): Promise<void> {
    const c = this.conn;
    if (!c) return;
    this.conn = null;
    c.off('close', this.onClose);
    await c.close().catch(() => this.error('Failed to disconnect from the admin server'));
  }

  /** vshAdmReconnect. */
  async reconnect(): Promise<void> {
    if (this.conn) this.wantReconnect = true;
    await this.disconnect();
    await this.connect();
    this.wantReconnect = false;
  }

  /** vshAdmCatchDisconnect. */
  private readonly onClose = (reason: CloseReason) => {
    const code = closeReasonCode(reason);
    if (code === 3) return;
    const uri = this.connname ?? '';
    const text = code === 1 ? `Disconnected from ${uri} due to end of file` : code === 2 ? `Disconnected from ${uri} due to keepalive timeout` : `Disconnected from ${uri} due to I/O error`;
    this.error(text);
  };

  /** vshAdmConnectionHandler. */
  protected async connHandler(): Promise<boolean> {
    const alive = async () => (this.conn ? this.conn.isAlive().catch(() => false) : false);
    if (!(await alive())) await this.reconnect();
    if (!(await alive())) {
      this.error('no valid connection');
      return false;
    }
    return true;
  }

  /** vshAdmInit: a connection named with -c must open at start. */
  async openAtStart(): Promise<boolean> {
    await this.reconnect();
    if (this.conn) return true;
    this.reportError();
    return false;
  }

  async deinit(): Promise<void> {
    this.closeLogFile();
    await this.disconnect();
  }
}
