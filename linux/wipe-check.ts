// Self-check of the virtio-pmem machine's wipe (linux/qemu.ts: a reset without a boot): after a
// scenario's worth of changes, the reset leaves nothing behind, and the machine is as usable as a
// booted one.
//
//   node -r ./scripts/register.js linux/wipe-check.ts [ext4|xfs]
//
// Before the reset: a filesystem on pmem0 with a file and a store through a mapping left mapped, a
// partition table on pmem1 and a filesystem on its first partition, mounted and frozen, and a
// buffered write(2) to pmem1 left unsynced in the guest's page cache (pmem1 held open by a
// process).  After it: no boot, every backing file without a single allocated block (also after a
// sync and a pause: no late write-back), the trace empty, no mount, no partition, zeros where the
// bytes were, no filesystem to mount, and a new filesystem that takes a file.  Exits 1 if any of
// them does not hold (without the first write-back of the guest's buffers, three of them fail).
import * as fs from 'node:fs';
import { LinuxMachine } from './qemu';
import { check, runProbes } from './probe-runner';

const hex = (s: string): string => Buffer.from(s).toString('hex');
const MiB = 1 << 20;

async function probe(fsType: 'ext4' | 'xfs'): Promise<void> {
  const m = new LinuxMachine({ trace: true, nvdimms: 2, virtioPmem: true, keepWorkDir: !!process.env.KEEP });
  const sh = async (script: string): Promise<string> => ((await m.request('exec', { argv: ['/bin/sh', '-c', script] })) as { output: string }).output.trim();
  const blocks = (): number[] => m.backingFiles.map((f) => fs.statSync(f).blocks);
  const t0 = Date.now();
  try {
    const b = await m.boot();
    console.log(`[${fsType}] traced virtio-pmem boot: ${b.bootMs.toFixed(0)} ms`);
    await m.request('mkfs', { fs: fsType, dev: 'pmem0' });
    await m.request('mount', { fs: fsType, dev: 'pmem0', dir: '/mnt', dax: 'always' });
    await m.request('create', { path: '/mnt/a' });
    await m.request('write', { path: '/mnt/a', offset: 0, data: hex('left-behind').repeat(400) });
    await m.request('fsync', { path: '/mnt/a' });
    const ext = (await m.request('extents', { path: '/mnt/a' })) as { devOffset: number }[];
    const { map } = (await m.request('mmap', { path: '/mnt/a', offset: 0, length: 4096, shared: true })) as { map: number };
    await m.request('store', { map, offset: 8, data: hex('stored') });
    await m.request('createPartitions', { disk: 'pmem1', partitions: [{ start: MiB, size: 64 * MiB }] });
    await m.request('mkfs', { fs: 'ext4', dev: 'pmem1p1' });
    await m.request('mount', { fs: 'ext4', dev: 'pmem1p1', dir: '/mnt2', dax: 'always' });
    await m.request('create', { path: '/mnt2/b' });
    await m.request('freeze', { dir: '/mnt2' });
    // a process keeps pmem1 open, so dd's close is not the last one (which would write the page back)
    await sh('sleep 3600 3</dev/pmem1 </dev/null >/dev/null 2>&1 & printf unsynced | dd of=/dev/pmem1 bs=4096 seek=40000 conv=notrunc 2>/dev/null');
    console.log(`[${fsType}] before the reset: blocks allocated per backing file ${blocks().join(', ')}; ${m.trace!.held} trace events held`);

    const r = await m.reset();
    console.log(`[${fsType}] reset: ${r.bootMs.toFixed(0)} ms, ${r.wiped ? 'wiped' : r.restored ? 'restored' : 'booted'}`);
    check(`[${fsType}] the reset wiped the running machine instead of booting`, !!r.wiped);
    check(`[${fsType}] every backing file is all holes`, blocks().every((n) => n === 0), blocks().join(', '));
    const ev = m.trace!.take().events;
    check(`[${fsType}] the trace starts empty (no store, no base)`, !ev.some((e) => e.k === 'st' || e.k === 'nt' || e.k === 'base'), `${ev.length} events`);
    check(`[${fsType}] no pmem filesystem is mounted`, (await sh('grep -c pmem /proc/mounts || true')) === '0');
    check(`[${fsType}] pmem1 has no partition`, (await sh('ls /sys/block/pmem1 | grep -c pmem1p || true')) === '0');
    const at = ext[0].devOffset;
    check(`[${fsType}] pmem0 reads zeros where /mnt/a's bytes were`, /^0+$/.test((await m.request('readDevice', { dev: 'pmem0', offset: at, length: 4096 })) as string));
    check(`[${fsType}] pmem1 reads zeros where the unsynced write(2) went`, /^0+$/.test((await m.request('readDevice', { dev: 'pmem1', offset: 40000 * 4096, length: 4096 })) as string));
    check(`[${fsType}] pmem1 reads zeros where the partition table was`, /^0+$/.test((await m.request('readDevice', { dev: 'pmem1', offset: 0, length: 512 })) as string));
    let mounted = true;
    try {
      await m.request('mount', { fs: fsType, dev: 'pmem0', dir: '/mnt', dax: 'always' });
    } catch {
      mounted = false;
    }
    check(`[${fsType}] there is no filesystem left on pmem0 to mount`, !mounted);
    await sh('sync; sleep 2; sync');
    check(`[${fsType}] after a sync and 2 s, still no block allocated (nothing was written back late)`, blocks().every((n) => n === 0), blocks().join(', '));
    await m.request('mkfs', { fs: fsType, dev: 'pmem0' });
    await m.request('mount', { fs: fsType, dev: 'pmem0', dir: '/mnt', dax: 'always' });
    await m.request('create', { path: '/mnt/c' });
    await m.request('write', { path: '/mnt/c', offset: 0, data: hex('fresh') });
    await m.request('fsync', { path: '/mnt/c' });
    check(`[${fsType}] a new filesystem takes a file after the wipe`, ((await m.request('read', { path: '/mnt/c', offset: 0, length: 5 })) as string) === hex('fresh'));
    const again = await m.reset();
    check(`[${fsType}] a second reset wipes too`, !!again.wiped, `${again.bootMs.toFixed(0)} ms`);
    await m.powerOff();
    const afterPowerFail = await m.reset();
    check(`[${fsType}] after a power failure the reset boots`, !afterPowerFail.wiped, `${afterPowerFail.bootMs.toFixed(0)} ms`);
  } finally {
    await m.close();
    console.log(`[${fsType}] wall ${Date.now() - t0} ms`);
  }
}

runProbes(probe, 'the virtio-pmem wipe');
