// Expected failures of the traced Linux target: if one of these passes, the capture is broken.
//
//   node -r ts-node/register/transpile-only linux/selftest.ts        (npm run conformance:linux runs it first)
//
// Each probe goes through the suite's own path: the `linux` target (linux/server.ts, traced), the
// process target's trace session and emulator/pmem's crash states.  Both stores below are never
// made durable, so "in every crash state the store holds" must be FALSE on a correct capture:
//   1. a store through a PTE mapping of written blocks, no msync, power failure
//   2. a store at offset 0 of a PMD mapping, msync of an unrelated page at 3 MiB, power failure
// A third check is the control: the msync'd store at 3 MiB holds in every crash state.
// Exit 0 when the probes fail and the control passes; 1 (and one line saying why) otherwise.
import { CrashVerdict, MountOptions, Target } from '../targets/contract';
import { createTarget, parseTargetSpec } from '../targets/registry';

const MiB = 1024 * 1024;
const hex = (s: string): string => Buffer.from(s, 'utf8').toString('hex');

interface Probe {
  name: string;
  expect: 'fails' | 'holds';
  verdict?: CrashVerdict;
}

function describe(v: CrashVerdict): string {
  const why = v.counterexample ? `; state ${v.counterexample.stateId}: ${v.counterexample.reason}` : '';
  return `${v.ok ? 'holds' : 'fails'} (${v.coverage}, ${v.states} states${why})`;
}

async function run(t: Target, fs: 'ext4' | 'xfs'): Promise<Probe[]> {
  const mount: MountOptions = { fs, dev: 'pmem0', dir: '/mnt', dax: 'always' };
  await t.reset({ seed: 1 });
  await t.createNamespace({ name: 'pmem0', size: 1024 * MiB });
  await t.mkfs({ fs, dev: 'pmem0' });
  await t.mount(mount);
  // probe 1: PTE mapping of written (not unwritten) blocks
  await t.create({ path: '/mnt/a' });
  await t.write({ path: '/mnt/a', offset: 0, data: '00'.repeat(8192) });
  await t.fsync({ path: '/mnt/a' });
  const a = await t.mmap({ path: '/mnt/a', offset: 0, length: 8192, shared: true });
  await t.store({ map: a.map, offset: 100, data: hex('probe-1') });
  // probe 2: PMD mapping, store at 0, msync of the page at 3 MiB only
  await t.create({ path: '/mnt/p' });
  await t.fallocate({ path: '/mnt/p', offset: 0, length: 4 * MiB, mode: 'allocate' });
  await t.write({ path: '/mnt/p', offset: 0, data: '00'.repeat(64 * 1024) });
  await t.fsync({ path: '/mnt/p' });
  const p = await t.mmap({ path: '/mnt/p', offset: 0, length: 4 * MiB, shared: true, size: 'pmd' });
  await t.store({ map: p.map, offset: 0, data: hex('probe-2') });
  await t.store({ map: p.map, offset: 3 * MiB, data: hex('control') });
  await t.msync({ map: p.map, offset: 3 * MiB, length: 4096, sync: true });
  await t.powerFail();
  const probes: Probe[] = [
    { name: `[${fs}] 1. PTE store, no msync: the store holds in every crash state`, expect: 'fails' },
    { name: `[${fs}] 2. PMD store at 0, msync at 3 MiB: the store at 0 holds in every crash state`, expect: 'fails' },
    { name: `[${fs}] control: the msync'd store at 3 MiB holds in every crash state`, expect: 'holds' },
  ];
  const checks = [
    { kind: 'file-holds' as const, path: '/mnt/a', offset: 100, data: hex('probe-1') },
    { kind: 'file-holds' as const, path: '/mnt/p', offset: 0, data: hex('probe-2') },
    { kind: 'file-holds' as const, path: '/mnt/p', offset: 3 * MiB, data: hex('control') },
  ];
  for (let i = 0; i < probes.length; i++) probes[i].verdict = await t.checkCrash({ check: checks[i], mounts: [mount] });
  return probes;
}

async function main(): Promise<void> {
  const spec = parseTargetSpec(process.env.DAX_SELFTEST_TARGET ?? 'linux');
  const fss = (process.argv.slice(2).length ? process.argv.slice(2) : ['ext4']) as ('ext4' | 'xfs')[];
  const t0 = Date.now();
  const t = await createTarget(spec);
  let broken = 0;
  try {
    const hello = await t.hello();
    if (!hello.capabilities.includes('pmem-trace' as never)) {
      console.log(`self-test: ${spec.label} does not declare pmem-trace (untraced?): its crash verdicts prove nothing about flushes`);
      process.exit(1);
    }
    for (const fs of fss) {
      for (const pr of await run(t, fs)) {
        const v = pr.verdict!;
        const as = (v.ok ? 'holds' : 'fails') === pr.expect;
        if (!as) broken++;
        console.log(`${as ? 'ok  ' : 'BROKEN'} ${pr.name}: ${describe(v)}${as ? '' : `, expected it to ${pr.expect === 'fails' ? 'fail' : 'hold'}`}`);
      }
    }
  } finally {
    await t.close();
  }
  console.log(`self-test of the capture: ${broken ? `${broken} probe(s) gave the wrong verdict: the capture is broken` : 'the probes fail and the control holds, as they must'} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  process.exit(broken ? 1 : 0);
}

main().catch((e) => {
  console.log(`self-test could not run: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
