// libvirt's keepalive protocol on the client side (src/rpc/virkeepalive.c, virnetclient.c):
//
// - every PING from the server is answered with a PONG at once, as its packet is read, whatever
//   else the client is doing and whether or not our own keepalive is enabled;
// - with keepalive enabled (virConnectSetKeepAlive(interval, count)), once `interval` seconds pass
//   without any packet from the server we send a PING, and another every `interval` seconds while
//   the silence lasts; any packet from the server (a PONG, a reply, an event) ends the silence.
//   After `count` unanswered PINGs, one more interval of silence closes the connection with reason
//   KEEPALIVE: a dead peer is detected interval x (count + 1) seconds after its last packet. With
//   count 0 the connection closes after one interval of silence without sending any PING.
// - while a stream's slow reader holds the socket (engine.readingHeld) the silence is ours: PINGs
//   still go out every interval (the daemon hears from us), but none counts as unanswered.
import { KEEPALIVE_PROC_PING, KEEPALIVE_PROGRAM, keepalive_procedures } from '../protocol/generated/keepalive.js';
import type { RpcEngine } from './engine.js';
import { getLogger } from '../util/log.js';

const log = getLogger('rpc.keepalive');

/** What virsh passes to virConnectSetKeepAlive right after opening (and so do we, by default). */
export const DEFAULT_KEEPALIVE_INTERVAL = 5;
export const DEFAULT_KEEPALIVE_COUNT = 6;


export class KeepAlive {
  /** Milliseconds of silence before a PING (0: we send none). */
  private intervalMs = 0;
  private count = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastPingSent = 0;
  private unanswered = 0;
  /** PINGs received from the server and PONGs sent back. */
  pingsAnswered = 0;
  /** PINGs we sent. */
  pingsSent = 0;
  /** PINGs left unanswered because the socket was backed up (the peer was not reading). */
  pongsSkipped = 0;

  constructor(private readonly engine: RpcEngine) {
    engine.setHandler(KEEPALIVE_PROGRAM, (message) => {
      if (message.proc.proc === KEEPALIVE_PROC_PING) {
        // A peer that sends PINGs but does not read our answers would queue them without end:
        // while the socket is backed up there is no point in another PONG.
        if (engine.closed) return;
        if (engine.needsDrain) this.pongsSkipped++;
        else {
          this.pingsAnswered++;
          this.send('KEEPALIVE_PROC_PONG');
        }
      }
      // A PONG needs no handling: like any packet it resets the silence (engine.lastReceived).
    });
    engine.onClose(() => this.stop());
  }

  /** Whether we are sending our own PINGs. */
  get enabled(): boolean {
    return this.intervalMs > 0;
  }

  get settings(): { interval: number; count: number } {
    return { interval: this.intervalMs / 1000, count: this.count };
  }

  /**
   * virConnectSetKeepAlive: `interval` seconds (fractions allowed) of silence before a PING,
   * `count` unanswered PINGs before the connection closes. interval <= 0 stops sending PINGs
   * (server PINGs are still answered). Calling it again replaces the settings.
   */
  start(interval: number, count: number): void {
    this.stop();
    if (!(interval > 0)) return;
    this.intervalMs = interval * 1000;
    this.count = Math.max(0, Math.floor(count));
    this.unanswered = 0;
    this.lastPingSent = 0;
    log.debug(`keepalive: interval ${interval}s, count ${this.count}`);
    this.schedule(this.intervalMs - Math.min(this.intervalMs, performance.now() - this.engine.lastReceived));
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.intervalMs = 0;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => this.tick(), Math.max(0, Math.ceil(ms)));
    this.timer.unref();
  }

  private tick(): void {
    this.timer = null;
    if (this.intervalMs <= 0 || this.engine.closed) return;
    const now = performance.now();
    const lastReceived = this.engine.lastReceived;
    if (lastReceived >= this.lastPingSent || this.engine.readingHeld) this.unanswered = 0;
    const silentFor = now - Math.max(lastReceived, this.lastPingSent);
    if (silentFor < this.intervalMs) {
      this.schedule(this.intervalMs - silentFor);
      return;
    }
    if (this.unanswered >= this.count) {
      const idle = ((now - lastReceived) / 1000).toFixed(1);
      log.warn(`no response from the server after ${this.unanswered} keepalive messages in ${idle} seconds`);
      this.intervalMs = 0;
      this.engine.closeOnKeepaliveTimeout();
      return;
    }
    this.unanswered++;
    this.lastPingSent = now;
    this.pingsSent++;
    this.send('KEEPALIVE_PROC_PING');
    this.schedule(this.intervalMs);
  }

  private send(name: keyof typeof keepalive_procedures): void {
    try {
      this.engine.sendMessage(keepalive_procedures[name]);
    } catch (e) {
      log.debug(`cannot send keepalive ${name === 'KEEPALIVE_PROC_PING' ? 'PING' : 'PONG'}: ${(e as Error).message}`);
    }
  }
}
