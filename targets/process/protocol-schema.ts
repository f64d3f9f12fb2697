// The process protocol as JSON Schema (draft 2020-12): every request's args and every answer's
// result, op by op. docs/protocol.schema.json is this object, written by
// `node -r ts-node/register/transpile-only targets/process/protocol-schema.ts --write`;
// test/process/protocol-schema.test.ts checks the file, the contract and the reference server agree.
// `ops` holds the Target contract's methods; `extensionOps` holds ops beyond it (a server may add
// more, e.g. the trace stream): unknown ops are answered ENOSYS, unknown args fields are ignored.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_CAPABILITIES, FS_TYPES } from '../contract';

export type Schema = { [key: string]: unknown };

const count: Schema = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER };
/** an address-like offset or length in a mapping: any number; what falls outside the mapping is the target's answer (SIGSEGV, ENOMEM, EINVAL) */
const addr: Schema = { type: 'number', description: 'any number: out of range is answered as section "Arguments out of the protocol\'s range" says' };
const name: Schema = { type: 'string', minLength: 1 };
const path: Schema = { type: 'string', pattern: '^/' };
const bool: Schema = { type: 'boolean' };
const hex: Schema = { $ref: '#/$defs/Hex' };
const nul: Schema = { type: 'null' };
const en = (...values: string[]): Schema => ({ type: 'string', enum: values });
const arr = (items: Schema): Schema => ({ type: 'array', items });
const ref = (def: string): Schema => ({ $ref: `#/$defs/${def}` });

/** an object with these required and optional fields; other fields are allowed (and ignored) */
export function obj(required: Record<string, Schema>, optional: Record<string, Schema> = {}): Schema {
  return { type: 'object', properties: { ...required, ...optional }, required: Object.keys(required) };
}

const mount = ref('MountOptions');
const none = obj({});
const op = (args: Schema, result: Schema, description: string): Schema => ({ description, args, result });

const bytesOrZeros = { data: hex, zeros: count };
/** consecutive 64-byte lines of a crash image: `data`, or `zeros` for a run of zero bytes */
const lineRun = obj({ dev: name, off: count }, bytesOrZeros);
const lineRange = obj({ dev: name, off: count, len: count });
const traceEvent: Schema = {
  description: 'one persistent-memory event (protocol section 12); `k` chooses the shape',
  oneOf: [
    obj({ k: en('base', 'st', 'nt'), dev: name, off: count }, bytesOrZeros),
    obj({ k: { const: 'fl' }, dev: name, off: count, insn: en('clwb', 'clflushopt', 'clflush') }, { len: count }),
    obj({ k: { const: 'fe' }, insn: en('sfence', 'mfence', 'locked') }),
    obj({ k: { const: 'hf' } }, { dev: name }),
    obj({ k: { const: 'op' }, seq: count, op: name, phase: en('begin', 'end') }),
  ],
};

export const DEFS: Record<string, Schema> = {
  Hex: { type: 'string', pattern: '^([0-9a-f]{2})*$', description: 'bytes as lowercase hex, two characters a byte' },
  MountOptions: obj({ fs: en(...FS_TYPES), dev: name, dir: path, dax: en('always', 'never', 'inode') }, { rtdev: name, ro: bool, barrier: bool }),
  CrashCheck: {
    description: 'a predicate evaluated in crash states; `kind` chooses the shape',
    oneOf: [
      obj({ kind: { const: 'file-holds' }, path, offset: count, data: hex }),
      obj({ kind: { const: 'device-holds' }, dev: name, offset: count, data: hex }),
      obj({ kind: { const: 'file-size' }, path, size: count }),
      obj({ kind: { const: 'exists' }, path }),
      obj({ kind: { const: 'dir-lists' }, path, names: arr(name) }),
      obj({ kind: { const: 'fsck-clean' }, dev: name }),
      obj({ kind: { const: 'xattr' }, path, name, value: { type: ['string', 'null'], pattern: '^([0-9a-f]{2})*$', description: 'the value (hex), or null: the attribute is absent' } }),
      obj({ kind: { const: 'all' }, checks: arr(ref('CrashCheck')) }),
      obj({ kind: { const: 'not' }, check: ref('CrashCheck') }),
      obj({ kind: { const: 'implies' }, if: ref('CrashCheck'), then: ref('CrashCheck') }),
    ],
  },
  CrashVerdict: obj(
    { ok: bool, coverage: { type: 'string', pattern: '^(per-line|exhaustive|single|bounded\\(\\d+\\))$' }, states: count },
    {
      counterexample: obj({
        stateId: { type: 'string', minLength: 1, description: 'a stable id: "lb" (the lower bound: every line as last made durable), "<hex line address>:<stores kept>" joined by "+", "cut:end" / "cut:end+nt" on eADR, or any id a real system chooses' },
        reason: name,
        lines: arr(obj({ addr: count, dev: name, state: en('durable', 'written-back-not-fenced', 'never-written-back', 'in-host-page-cache'), found: hex }, { expected: hex, compareOffset: count })),
      }),
    },
  ),
  ScheduledTask: obj({ task: name, at: { type: 'string', minLength: 1, description: 'the stop point reached, or "done"' } }),
  Hello: obj({ protocol: { const: 1 }, name, version: name, capabilities: arr({ type: 'string' }) }, { description: { type: 'string' }, kernel: { type: 'string', pattern: '^[0-9]+[.][0-9]+' }, profile: en('adr', 'eadr', 'virtio-pmem'), lacks: { ...obj({}, Object.fromEntries(ALL_CAPABILITIES.map((c) => [c, { type: 'string' }]))), description: 'why it leaves out a capability, one sentence each, printed when a scenario is skipped for want of it' } }),
};

/**
 * The stop points a schedule (`begin` / `resume` `stopAt`) may name, per scheduled op, in the order
 * the op passes them: fsync's writeback after it tagged the dirty entries TOWRITE and before it
 * writes back each entry (fs/dax.c dax_writeback_mapping_range); a store in the write fault's
 * pfn_mkwrite, before the entry is marked dirty. A task that passes none answers at "done".
 */
export const STOP_POINTS: Record<string, string[]> = {
  fsync: ['after-tagging', 'before-writeback-one', 'flush-in-flight'],
  store: ['pfn_mkwrite'],
};
const stopAt: Schema = { type: 'string', enum: [...new Set(Object.values(STOP_POINTS).flat())] };

export const OPS: Record<string, Schema> = {
  hello: op(none, ref('Hello'), 'the hello line again, as a result (the suite does not send it)'),
  close: op(none, nul, 'answer, then exit 0'),
  reset: op(obj({ seed: count }), nul, 'a fresh machine'),
  configure: op(obj({}, { pmemMode: en('adr', 'eadr', 'virtio-pmem'), tearing: bool }), nul, 'before anything is stored: eADR or virtio-pmem, and `tearing` (a store may persist in 8-byte units, not whole)'),
  createNamespace: op(obj({ name, size: count }), nul, 'a pmem namespace (size a multiple of 2 MiB) and its block device'),
  createPartitions: op(obj({ disk: name, partitions: arr(obj({ start: count, size: count })) }), arr(name), 'partitions; the answer names their devices'),
  resizeDevice: op(obj({ dev: name, size: count }), nul, 'grow or shrink a namespace'),
  bio: op(obj({ dev: name, path: en('rw_bytes', 'rw_page', 'make_request'), offset: count, data: hex, flags: arr(en('REQ_FLUSH', 'REQ_FUA')) }), nul, 'a bio through one pmem driver path'),
  flushDevice: op(obj({ dev: name }), nul, 'an empty REQ_FLUSH bio'),
  cpuStore: op(obj({ dev: name, offset: count, data: hex, nt: bool }), nul, 'CPU stores to the device memory (non-temporal when nt)'),
  cpuFlush: op(obj({ dev: name, offset: count, length: count, insn: en('clwb', 'clflushopt', 'clflush') }), nul, 'write back the cache lines of a range'),
  cpuFence: op(none, nul, 'sfence'),
  injectPoison: op(obj({ path, offset: count, length: count }), nul, 'an uncorrectable media error under whole 512-byte sectors of /dev/<dev> or of the blocks holding a file\'s range (capability poison)'),
  readDevice: op(obj({ dev: name, offset: count, length: count }), hex, 'pread on /dev/<dev>'),
  writeDevice: op(obj({ dev: name, offset: count, data: hex }), nul, 'pwrite on /dev/<dev>'),
  mkfs: op(obj({ fs: en(...FS_TYPES), dev: name }, { rtdev: name }), nul, 'make a filesystem'),
  mount: op(mount, nul, 'mount'),
  umount: op(obj({ dir: path }), nul, 'unmount'),
  freeze: op(obj({ dir: path }), nul, 'FIFREEZE'),
  thaw: op(obj({ dir: path }), nul, 'FITHAW'),
  fsck: op(obj({ dev: name }, { rtdev: name }), obj({ clean: bool, messages: arr({ type: 'string' }) }), 'e2fsck -n / xfs_repair -n'),
  create: op(obj({ path }, { realtime: bool }), nul, 'creat'),
  mkdir: op(obj({ path }), nul, 'mkdir'),
  rename: op(obj({ from: path, to: path }), nul, 'rename'),
  unlink: op(obj({ path }), nul, 'unlink'),
  readdir: op(obj({ path }), arr({ type: 'string' }), 'names without . and ..'),
  setxattr: op(obj({ path, name, value: hex }), nul, 'setxattr'),
  getxattr: op(obj({ path, name }), hex, 'getxattr: the value of an extended attribute (ENODATA when the file has none of that name)'),
  clone: op(obj({ from: path, to: path }), nul, 'FICLONE: the existing file `to` becomes a copy of `from` that shares its blocks (capability reflink)'),
  setDaxFlag: op(obj({ path, on: bool }), nul, 'FS_IOC_FSSETXATTR setting (on) or clearing FS_XFLAG_DAX; under dax=inode the mode follows at the inode\'s eviction (capability per-file-dax)'),
  write: op(obj({ path, offset: count, data: hex }), nul, 'pwrite'),
  read: op(obj({ path, offset: count, length: count }), hex, 'pread (short at end of file)'),
  truncate: op(obj({ path, size: count }), nul, 'ftruncate'),
  fallocate: op(obj({ path, offset: count, length: count, mode: en('allocate', 'punch-hole') }), nul, 'fallocate'),
  fsync: op(obj({ path }, { datasync: bool }), nul, 'fsync, or fdatasync when datasync'),
  sync: op(none, nul, 'sync(2)'),
  statx: op(obj({ path }), obj({ size: count, blocks: count, isDir: bool, attrDax: bool }), 'statx'),
  mmap: op(obj({ path, offset: addr, length: addr, shared: bool }, { sync: bool, size: en('pte', 'pmd') }), obj({ map: count }), 'mmap; the answer is a handle'),
  store: op(obj({ map: count, offset: addr, data: hex }, { persist: bool }), nul, 'CPU stores through a mapping'),
  load: op(obj({ map: count, offset: addr, length: addr }), hex, 'CPU loads through a mapping'),
  msync: op(obj({ map: count, offset: addr, length: addr, sync: bool }), nul, 'MS_SYNC or MS_ASYNC'),
  munmap: op(obj({ map: count }), nul, 'munmap'),
  powerFail: op(none, nul, 'power is cut now'),
  checkCrash: op(obj({ check: ref('CrashCheck'), mounts: arr(mount) }, { budget: count, state: name }), ref('CrashVerdict'), 'evaluate a check in every crash state (budget: at most that many; state: only that one)'),
  remount: op(obj({ mounts: arr(mount) }, { state: name, lines: arr(lineRun) }), obj({ stateId: name }), 'come back in one crash state (the lower bound, or `state`; a pmem-trace server: the image in `lines`) and mount'),
  mappingInfo: op(obj({ path }), obj({ entries: arr(obj({ index: count, type: en('pte', 'pmd', 'page'), tags: arr(en('DIRTY', 'TOWRITE')) })), nrpages: count, nrexceptional: count, inodeDirtyPages: bool }), 'the mapping\'s radix tree'),
  writebackLog: op(obj({}, { since: count }), obj({ events: arr({ type: 'object', required: ['kind'], properties: { kind: en('writeback-line', 'fence', 'writeback-page') } }), next: count }), 'write-back events since a cursor'),
  backgroundWriteback: op(none, nul, 'run the flusher now'),
  switchesRead: op(none, obj({ switches: arr(name) }), 'the variant switches consulted since the server started (optional; the matrix runs a variant only where its switch was read)'),
  begin: op(obj({ op: en('fsync', 'msync', 'store', 'fallocate'), args: { type: 'object', description: 'the args of that op' }, stopAt }), ref('ScheduledTask'), 'start an operation that stops at a named point (STOP_POINTS); a server that cannot schedule an op answers EINVAL'),
  resume: op(obj({ task: name }, { stopAt }), ref('ScheduledTask'), 'run a stopped task on (to the named stop point, or to the end)'),
};

/** ops beyond the Target contract that a server may also answer: the pmem-trace stream (section 12) */
export const EXTENSION_OPS: Record<string, Schema> = {
  trace: op(none, obj({ events: arr(traceEvent) }, { more: bool }), 'pmem-trace: the events since the last call (or reset), in execution order; more: call again'),
  extents: op(obj({ path }), arr(obj({ offset: count, length: count, dev: name, devOffset: count }, { unwritten: bool })), 'pmem-trace: where a file\'s (or a /dev block device\'s) bytes live on the namespaces, asked before the power failure'),
  recover: op(
    obj({ lines: arr(lineRun), check: ref('CrashCheck'), mounts: arr(mount) }, { watch: arr(lineRange), partial: bool }),
    obj({ ok: bool }, { reason: { type: 'string' }, read: arr(lineRange) }),
    'pmem-trace: evaluate a check on the media after the power failure with these lines replaced (remount takes `lines` the same way)',
  ),
};

export const PROTOCOL_SCHEMA: Schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://github.com/dax-conformance/dax-conformance/docs/protocol.schema.json',
  title: 'dax-conformance process protocol, version 1',
  description: 'Lines are JSON objects: a request {id, op, args}, an answer {id, ok:true, result} or {id, ok:false, errno, message}, the hello line {hello}. `ops.<op>.args` and `ops.<op>.result` give each op\'s shapes; extra fields in args are ignored, unknown ops are answered ENOSYS.',
  $defs: {
    ...DEFS,
    Request: obj({ id: { type: 'integer', minimum: 1 }, op: name }, { args: { type: 'object' } }),
    Answer: {
      oneOf: [
        obj({ id: { type: ['integer', 'null'] }, ok: { const: true }, result: {} }),
        obj({ id: { type: ['integer', 'null'] }, ok: { const: false }, errno: { type: 'string', pattern: '^(E[A-Z0-9]+|SIG[A-Z]+)$' }, message: { type: 'string' } }),
      ],
    },
    HelloLine: obj({ hello: ref('Hello') }),
  },
  capabilities: [...ALL_CAPABILITIES],
  ops: OPS,
  extensionOps: EXTENSION_OPS,
};

if (require.main === module && process.argv.includes('--write')) {
  writeFileSync(join(__dirname, '..', '..', 'docs', 'protocol.schema.json'), JSON.stringify(PROTOCOL_SCHEMA, null, 2) + '\n');
}
