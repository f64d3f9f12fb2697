// Reset time of the traced machine, and a check that a reset machine works and is traced.
//
//   node -r ./scripts/register.js linux/reset-bench.ts [resets]          (fast reset: a restore)
//   DAX_LINUX_FAST_RESET=0 node -r ./scripts/register.js linux/reset-bench.ts   (a boot per reset)
//
// After each reset: mkfs.ext4, mount with dax, a 4 KiB write and fsync; the trace must hold the
// write's bytes on pmem0 and a fence after them, or the script says BROKEN and exits 1.
import { LinuxMachine } from './qemu';

async function main(): Promise<void> {
  const resets = Number(process.argv[2] ?? 3);
  const m = new LinuxMachine({ trace: true });
  let broken = 0;
  try {
    let t = Date.now();
    const b = await m.boot();
    console.log(`first boot: ${Date.now() - t} ms (${b.restored ? 'restored' : 'booted'}; fast reset ${m.fastResetReady ? 'ready' : `off${m.fastResetFailure ? `: ${m.fastResetFailure}` : ''}`})`);
    for (let i = 0; i < resets; i++) {
      t = Date.now();
      const r = await m.reset();
      const resetMs = Date.now() - t;
      t = Date.now();
      await m.request('mkfs', { dev: 'pmem0', fs: 'ext4' });
      await m.request('mount', { dev: 'pmem0', dir: '/mnt', fs: 'ext4', dax: 'always' });
      await m.request('create', { path: '/mnt/f' });
      const marker = 'c0ffee'.repeat(8);
      await m.request('write', { path: '/mnt/f', offset: 0, data: marker.repeat(4096 / 24) });
      await m.request('fsync', { path: '/mnt/f' });
      const { events } = m.trace!.take();
      const wrote = events.some((e) => (e.k === 'nt' || e.k === 'st') && 'data' in e && e.data.includes(marker));
      const fenced = events.some((e) => e.k === 'fe');
      if (!wrote || !fenced) broken++;
      console.log(`reset ${i + 1}: ${resetMs} ms (${r.restored ? 'restored' : 'booted'}); mkfs+mount+write+fsync ${Date.now() - t} ms; ${events.length} events, the write's bytes ${wrote ? 'traced' : 'MISSING'}, ${fenced ? 'a fence' : 'NO fence'}`);
    }
  } finally {
    await m.close();
  }
  if (broken) {
    console.log(`BROKEN: ${broken} reset machine(s) did not trace the write`);
    process.exit(1);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
