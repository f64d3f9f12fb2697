// Expected failure of the traced Linux target on virtio-pmem: if the probe passes, the capture of
// the flush request is broken (or the model lets a fence make a virtio-pmem store durable).
//
//   node -r ./scripts/register.js linux/virtio-selftest.ts [ext4|xfs]...   (not ext2: its fsync leaves the new name to the directory's own sync)
//   DAX_SELFTEST_TARGET=emulator@virtio-pmem node -r ./scripts/register.js linux/virtio-selftest.ts   (the same on the reference)
//
// Through the suite's own path (the `linux@virtio-pmem` target, the process target's trace session,
// emulator/pmem's crash states on the virtio-pmem profile):
//   control: a store through a mapping persisted with clwb and sfence, then fsync (the flush
//            request): it holds in every crash state
//   probe:   after that, a store through a mapping of another file persisted with clwb and sfence,
//            no fsync: the line reached only the host's page cache, so "in every crash state the
//            store holds" must be FALSE
// Exit 0 when the probe fails and the control holds; 1 (and one line saying why) otherwise.
import { CrashVerdict, MountOptions, Target } from '../targets/contract';
import { createTarget, parseTargetSpec } from '../targets/registry';

const MiB = 1024 * 1024;
const hex = (s: string): string => Buffer.from(s, 'utf8').toString('hex');

function describe(v: CrashVerdict): string {
  const why = v.counterexample ? `; state ${v.counterexample.stateId}: ${v.counterexample.reason}` : '';
  return `${v.ok ? 'holds' : 'fails'} (${v.coverage}, ${v.states} states${why})`;
}

async function run(t: Target, fs: 'ext4' | 'xfs'): Promise<{ name: string; expect: 'fails' | 'holds'; verdict: CrashVerdict }[]> {
  const mount: MountOptions = { fs, dev: 'pmem0', dir: '/mnt', dax: 'always' };
  await t.reset({ seed: 1 });
  await t.configure!({ pmemMode: 'virtio-pmem' });
  await t.createNamespace({ name: 'pmem0', size: 1024 * MiB });
  await t.mkfs({ fs, dev: 'pmem0' });
  await t.mount(mount);
  for (const f of ['/mnt/a', '/mnt/b']) {
    await t.create({ path: f });
    await t.write({ path: f, offset: 0, data: '00'.repeat(8192) });
    await t.fsync({ path: f });
  }
  // control first: its fsync's flush request must not cover the probe's line
  const b = await t.mmap({ path: '/mnt/b', offset: 0, length: 8192, shared: true });
  await t.store({ map: b.map, offset: 100, data: hex('control'), persist: true });
  await t.fsync({ path: '/mnt/b' });
  const a = await t.mmap({ path: '/mnt/a', offset: 0, length: 8192, shared: true });
  await t.store({ map: a.map, offset: 100, data: hex('probe-v'), persist: true });
  await t.powerFail();
  const probe = await t.checkCrash({ check: { kind: 'file-holds', path: '/mnt/a', offset: 100, data: hex('probe-v') }, mounts: [mount] });
  const control = await t.checkCrash({ check: { kind: 'file-holds', path: '/mnt/b', offset: 100, data: hex('control') }, mounts: [mount] });
  return [
    { name: `[${fs}] probe: a store persisted with clwb and sfence, no fsync, holds in every crash state`, expect: 'fails', verdict: probe },
    { name: `[${fs}] control: a store persisted with clwb and sfence, then fsync, holds in every crash state`, expect: 'holds', verdict: control },
  ];
}

async function main(): Promise<void> {
  const spec = parseTargetSpec(process.env.DAX_SELFTEST_TARGET ?? 'linux@virtio-pmem');
  const fss = (process.argv.slice(2).length ? process.argv.slice(2) : ['ext4']) as ('ext4' | 'xfs')[];
  const bad = fss.find((f) => f !== 'ext4' && f !== 'xfs');
  if (bad) {
    console.log(`virtio-pmem self-test: "${bad}" is not ext4 or xfs`);
    process.exit(1);
  }
  const t0 = Date.now();
  const t = await createTarget(spec);
  let broken = 0;
  try {
    const hello = await t.hello();
    if (!hello.capabilities.includes('virtio-pmem')) {
      console.log(`virtio-pmem self-test: ${spec.label} does not declare virtio-pmem`);
      process.exit(1);
    }
    for (const fs of fss) {
      for (const pr of await run(t, fs)) {
        const as = (pr.verdict.ok ? 'holds' : 'fails') === pr.expect;
        if (!as) broken++;
        console.log(`${as ? 'ok  ' : 'BROKEN'} ${pr.name}: ${describe(pr.verdict)}${as ? '' : `, expected it to ${pr.expect === 'fails' ? 'fail' : 'hold'}`}`);
      }
    }
  } finally {
    await t.close();
  }
  console.log(`virtio-pmem self-test of ${spec.label}: ${broken ? `${broken} check(s) gave the wrong verdict: the flush request's capture is broken` : 'the probe fails and the control holds, as they must'} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  process.exit(broken ? 1 : 0);
}

main().catch((e) => {
  console.log(`virtio-pmem self-test could not run: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
