// Smoke test of the Linux target: boot, mkfs, mount -o dax, store through a mapping + msync,
// power failure (QEMU killed), boot again over the same NVDIMM, read back, fsck.
//
//   npx ts-node --transpile-only linux/smoke.ts [ext4|ext2|xfs ...]     (default: ext4)
//
// Needs the image: bash scripts/linux-image.sh.  Exits non-zero on the first failed check.
import { LinuxMachine } from './qemu';
import { TargetError } from '../targets/contract';

const hex = (s: string): string => Buffer.from(s, 'utf8').toString('hex');
let failures = 0;
function check(what: string, ok: boolean, detail = ''): void {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? `: ${detail}` : ''}`);
  if (!ok) failures++;
}
async function expectErr(what: string, p: Promise<unknown>, errno: string): Promise<void> {
  try {
    await p;
    check(what, false, `no error, expected ${errno}`);
  } catch (e) {
    check(what, e instanceof TargetError && e.errno === errno, e instanceof Error ? `${(e as TargetError).errno ?? ''} ${e.message}` : String(e));
  }
}

async function smoke(fs: 'ext2' | 'ext4' | 'xfs'): Promise<void> {
  const t0 = Date.now();
  const m = new LinuxMachine({ keepWorkDir: !!process.env.KEEP });
  try {
    const b1 = await m.boot();
    console.log(`[${fs}] boot 1: ${b1.bootMs.toFixed(0)} ms (${b1.accel}${b1.createdNamespace ? ', made the fsdax namespace' : ''}); ${b1.hello.description}`);
    await m.request('createNamespace', { name: 'pmem0', size: 256 * 1024 * 1024 });
    await expectErr(`[${fs}] createNamespace larger than the NVDIMM`, m.request('createNamespace', { name: 'pmem0', size: 64 * 1024 ** 3 }), 'ENOSPC');
    let t = Date.now();
    await m.request('mkfs', { fs, dev: 'pmem0' });
    console.log(`[${fs}] mkfs: ${Date.now() - t} ms`);
    const mount = { fs, dev: 'pmem0', dir: '/mnt', dax: 'always' as const };
    await m.request('mount', mount);
    await m.request('create', { path: '/mnt/a' });
    await m.request('truncate', { path: '/mnt/a', size: 8192 });
    const st = await m.request('statx', { path: '/mnt/a' });
    check(`[${fs}] statx reports STATX_ATTR_DAX`, st.attrDax === true, JSON.stringify(st));

    // a store through a shared mapping, made durable by msync(MS_SYNC)
    const { map } = await m.request('mmap', { path: '/mnt/a', offset: 0, length: 8192, shared: true });
    t = Date.now();
    await m.request('store', { map, offset: 4096, data: hex('durable by msync') });
    await m.request('msync', { map, offset: 4096, length: 4096, sync: true });
    const rtt = Date.now() - t;
    check(`[${fs}] load sees the store`, (await m.request('load', { map, offset: 4096, length: 16 })) === hex('durable by msync'));
    console.log(`[${fs}] store+msync round trips: ${rtt} ms`);

    // MAP_SYNC (shared, validate)
    const s = await m.request('mmap', { path: '/mnt/a', offset: 0, length: 4096, shared: true, sync: true });
    await m.request('store', { map: s.map, offset: 0, data: hex('map-sync') });
    await m.request('msync', { map: s.map, offset: 0, length: 4096, sync: true });

    // write(2) + fsync, a directory entry + fsync of the directory
    await m.request('mkdir', { path: '/mnt/d' });
    await m.request('create', { path: '/mnt/d/b' });
    await m.request('write', { path: '/mnt/d/b', offset: 0, data: hex('durable by fsync') });
    await m.request('fsync', { path: '/mnt/d/b' });
    await m.request('fsync', { path: '/mnt/d' });
    await m.request('fsync', { path: '/mnt' });

    // a SIGBUS: a mapping past the end of the file
    await m.request('create', { path: '/mnt/c' });
    await m.request('truncate', { path: '/mnt/c', size: 4096 });
    const c = await m.request('mmap', { path: '/mnt/c', offset: 0, length: 8192, shared: true });
    await expectErr(`[${fs}] store past EOF answers SIGBUS`, m.request('store', { map: c.map, offset: 4096, data: '00' }), 'SIGBUS');
    await expectErr(`[${fs}] unknown op answers ENOSYS`, m.request('noSuchOp', {}), 'ENOSYS');

    // ext2 has no journal: metadata not yet written back (the /mnt/c made after the directory
    // fsyncs above) is legitimately inconsistent after a power failure, so fsck would not be clean
    if (fs === 'ext2') await m.request('sync', {});

    // power failure and a boot over the same NVDIMM
    t = Date.now();
    await m.powerOff();
    const b2 = await m.boot();
    console.log(`[${fs}] power off + boot 2: ${Date.now() - t} ms (boot ${b2.bootMs.toFixed(0)} ms)`);
    await m.request('mount', mount);
    check(`[${fs}] after power failure: read sees the msync'ed store`, (await m.request('read', { path: '/mnt/a', offset: 4096, length: 16 })) === hex('durable by msync'));
    const m2 = await m.request('mmap', { path: '/mnt/a', offset: 0, length: 4096, shared: false });
    check(`[${fs}] after power failure: a private mapping loads it`, (await m.request('load', { map: m2.map, offset: 0, length: 8 })) === hex('map-sync'));
    check(`[${fs}] after power failure: the fsync'ed file holds its data`, (await m.request('read', { path: '/mnt/d/b', offset: 0, length: 16 })) === hex('durable by fsync'));
    check(`[${fs}] after power failure: readdir`, JSON.stringify(await m.request('readdir', { path: '/mnt' })).includes('"d"'));
    await m.request('munmap', { map: m2.map });
    await m.request('umount', { dir: '/mnt' });
    const fsck = await m.request('fsck', { dev: 'pmem0' });
    check(`[${fs}] fsck clean after remount`, fsck.clean === true, fsck.clean ? '' : fsck.messages.join(' | '));
    const dev = await m.request('readDevice', { dev: 'pmem0', offset: fs === 'xfs' ? 0 : 1080, length: fs === 'xfs' ? 4 : 2 });
    check(`[${fs}] readDevice sees the superblock magic`, dev === (fs === 'xfs' ? hex('XFSB') : '53ef'), dev);
  } finally {
    await m.close();
  }
  console.log(`[${fs}] total ${Date.now() - t0} ms`);
}

async function main(): Promise<void> {
  const fss = (process.argv.slice(2).length ? process.argv.slice(2) : ['ext4']) as Array<'ext2' | 'ext4' | 'xfs'>;
  for (const fs of fss) await smoke(fs);
  console.log(failures ? `${failures} check(s) failed` : 'smoke passed');
  process.exit(failures ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
