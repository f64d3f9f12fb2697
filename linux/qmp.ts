// A minimal QMP client (QEMU's JSON machine protocol) over the Unix socket QEMU listens on with
// `-qmp unix:<path>,server=on,wait=off`: enough to save a machine to a file and restore it.
import * as fs from 'node:fs';
import * as net from 'node:net';
import { ImplementationError } from '../targets/contract';

type Reply = { return?: unknown; error?: { class: string; desc: string }; event?: string; QMP?: unknown };

export class Qmp {
  private sock: net.Socket | undefined;
  private buf = '';
  private waiting: ((r: Reply) => void)[] = [];
  private greeting: ((r: Reply) => void) | undefined;

  private constructor(private readonly path: string) {}

  /** connect (QEMU makes the socket shortly after it starts) and leave capabilities negotiation */
  static async connect(path: string, timeoutMs = 30_000, alive: () => boolean = () => true): Promise<Qmp> {
    const q = new Qmp(path);
    const t0 = Date.now();
    for (;;) {
      try {
        await q.open();
        break;
      } catch (e) {
        if (!alive() || Date.now() - t0 > timeoutMs) throw new ImplementationError(`QMP socket ${path}: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await q.execute('qmp_capabilities');
    return q;
  }

  private open(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!fs.existsSync(this.path)) return reject(new Error('not there yet'));
      const s = net.createConnection(this.path);
      this.greeting = () => resolve();
      s.once('error', reject);
      s.setEncoding('utf8');
      s.on('data', (d: string) => this.onData(d));
      s.once('connect', () => {
        s.removeListener('error', reject);
        s.on('error', () => this.fail('QMP connection lost'));
        s.on('close', () => this.fail('QMP connection closed'));
        this.sock = s;
      });
    });
  }

  private onData(d: string): void {
    this.buf += d;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl).trim();
      this.buf = this.buf.slice(nl + 1);
      if (!line) continue;
      const r = JSON.parse(line) as Reply;
      if (r.QMP) {
        const g = this.greeting;
        this.greeting = undefined;
        g?.(r);
      } else if (!r.event) this.waiting.shift()?.(r); // events are not needed: state is polled
    }
  }

  private fail(why: string): void {
    for (const w of this.waiting.splice(0)) w({ error: { class: 'GenericError', desc: why } });
  }

  /** one command; rejects with QEMU's description of an error */
  execute(command: string, args?: object): Promise<any> {
    const s = this.sock;
    if (!s || s.destroyed) return Promise.reject(new ImplementationError(`QMP ${command}: not connected`));
    return new Promise((resolve, reject) => {
      this.waiting.push((r) => (r.error ? reject(new ImplementationError(`QMP ${command}: ${r.error.desc}`)) : resolve(r.return)));
      s.write(JSON.stringify(args ? { execute: command, arguments: args } : { execute: command }) + '\n');
    });
  }

  /** poll query-migrate until the migration (either direction) has completed */
  async migrationDone(timeoutMs: number): Promise<void> {
    const t0 = Date.now();
    for (;;) {
      const r = (await this.execute('query-migrate')) as { status?: string; 'error-desc'?: string };
      if (r.status === 'completed') return;
      if (r.status === 'failed' || r.status === 'cancelled') throw new ImplementationError(`migration ${r.status}: ${r['error-desc'] ?? 'no reason given'}`);
      if (Date.now() - t0 > timeoutMs) throw new ImplementationError(`migration not done within ${timeoutMs} ms (status ${r.status ?? 'none'})`);
      await new Promise((res) => setTimeout(res, 25));
    }
  }

  close(): void {
    this.sock?.destroy();
    this.sock = undefined;
  }
}
