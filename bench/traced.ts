// What the traced path costs: events replayed per second, and crash states checked per second when
// each state is evaluated by the server's `recover` (the reference server with --traced).
//   npm run build:server && node -r ts-node/register/transpile-only bench/traced.ts

import { join } from 'node:path';
import { CrashCheck, MountOptions } from '../targets/contract';
import { ProcessTarget } from '../targets/process/process-target';
import { TracedEmulator } from '../targets/process/traced-emulator';
import { TraceReplay } from '../targets/traced/replay';
import { TraceEvent } from '../targets/traced/events';

const ROOT = join(__dirname, '..');
const MNT: MountOptions[] = [{ fs: 'ext4', dev: 'pmem0', dir: '/mnt', dax: 'always' }];

async function replayRate(): Promise<void> {
  const em = new TracedEmulator();
  await em.reset();
  await em.createNamespace({ name: 'pmem0', size: 1 << 30 });
  await em.mkfs({ fs: 'ext4', dev: 'pmem0' });
  await em.mount(MNT[0]);
  await em.create({ path: '/mnt/a' });
  await em.fallocate({ path: '/mnt/a', offset: 0, length: 4 << 20, mode: 'allocate' });
  const { map } = await em.mmap({ path: '/mnt/a', offset: 0, length: 4 << 20, shared: true, size: 'pte' });
  // many small cached stores and their write-backs, as a real kernel's trace is made of
  for (let i = 0; i < 20000; i++) await em.store({ map, offset: (i * 200) % (4 << 20), data: 'c0ffee0123456789' });
  await em.fsync({ path: '/mnt/a' });
  const events: TraceEvent[] = [];
  for (let more = true; more; ) {
    const c = await em.trace();
    events.push(...(JSON.parse(JSON.stringify(c.events)) as TraceEvent[]));
    more = c.more ?? false;
  }
  const t0 = process.hrtime.bigint();
  const r = new TraceReplay();
  r.apply(events);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`replay: ${events.length} events in ${s.toFixed(2)} s = ${Math.round(events.length / s)} events/s; ${r.mem.touchedPages} pages touched, ${r.mem.pendingLines().length} lines not durable at the end`);
}

async function statesRate(name: string, lines: number, check: (dev: string) => CrashCheck, mounts: MountOptions[], fs: boolean): Promise<void> {
  const t = new ProcessTarget([process.execPath, join(ROOT, '.cache', 'build', 'targets', 'process', 'server.js'), '--traced'], { cwd: ROOT });
  await t.reset({ seed: 0 });
  await t.createNamespace({ name: 'pmem0', size: 1 << 30 });
  if (fs) {
    await t.mkfs({ fs: 'ext4', dev: 'pmem0' });
    await t.mount(MNT[0]);
  }
  // each store leaves one line with one store never written back: 2^lines crash states
  for (let i = 0; i < lines; i++) await t.cpuStore!({ dev: 'pmem0', offset: (900 << 20) + i * 4096, data: 'ff', nt: false });
  await t.powerFail();
  const t0 = process.hrtime.bigint();
  const v = await t.checkCrash({ check: check('pmem0'), mounts, budget: 4096 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${name}: ${v.states} states [${v.coverage}] in ${s.toFixed(2)} s = ${Math.round(v.states / s)} states/s (${t.traceStats?.recovers} recover requests)`);
  await t.close();
}

async function main(): Promise<void> {
  await replayRate();
  const none = (dev: string): CrashCheck => ({ kind: 'not', check: { kind: 'device-holds', dev, offset: 0, data: '01' } });
  const lines = 12;
  // reads every stored line and holds in every state: the explorer must vary them all
  const everyLine = (dev: string, n: number): CrashCheck => ({
    kind: 'all',
    checks: Array.from({ length: n }, (_, i) => {
      const c: CrashCheck = { kind: 'device-holds', dev, offset: (900 << 20) + i * 4096, data: 'ff' };
      return { kind: 'implies', if: c, then: c };
    }),
  });
  await statesRate('recover, no filesystem', lines, (dev) => everyLine(dev, lines), [], false);
  await statesRate('recover, ext4 mounted and fsck per state', 8, (dev) => ({ kind: 'all', checks: [{ kind: 'fsck-clean', dev }, none(dev), everyLine(dev, 8)] }), MNT, true);
  const perLine = (dev: string): CrashCheck => ({ kind: 'device-holds', dev, offset: 0, data: '00' });
  await statesRate('per line', 4000, perLine, [], false);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
