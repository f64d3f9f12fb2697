// The reference server of the process protocol (docs/protocol.md): the emulator behind stdin/stdout.
//   node -r ts-node/register/transpile-only targets/process/server.ts [--variant <name>] [--traced] [--profile adr|eadr|virtio-pmem]
// --traced: the emulator records its persistent-memory traffic (pmem-trace, section 12 of the protocol).
// Requests are answered one at a time, in order. Exit codes: 0 after `close` or the end of stdin,
// 2 for a bad command line.

import { StringDecoder } from 'node:string_decoder';
import { PMEM_MODES, PmemMode, TargetError, TargetOp } from '../contract';
import { EmulatorTarget } from '../emulator/emulator-target';
import { translateErrors } from '../emulator/errors';
import { TracedEmulator } from './traced-emulator';
import { isVariant, VariantName, VARIANTS } from '../../emulator/faults';
import { checkArgs } from './validate';

const PROTOCOL_VERSION = 1;
const MAX_LINE = 1 << 20;

/** every op of the contract the server dispatches; `hello` and `close` are handled here */
const OPS: readonly TargetOp[] = [
  'reset', 'configure', 'createNamespace', 'createPartitions', 'resizeDevice', 'bio', 'flushDevice',
  'cpuStore', 'cpuFlush', 'cpuFence', 'injectPoison', 'readDevice', 'writeDevice',
  'mkfs', 'mount', 'umount', 'freeze', 'thaw', 'fsck',
  'create', 'mkdir', 'rename', 'unlink', 'readdir', 'setxattr', 'getxattr', 'setDaxFlag', 'clone', 'write', 'read', 'truncate', 'fallocate',
  'fsync', 'sync', 'statx',
  'mmap', 'store', 'load', 'msync', 'munmap',
  'powerFail', 'checkCrash', 'remount',
  'mappingInfo', 'writebackLog', 'backgroundWriteback', 'begin', 'resume', 'switchesRead',
];

/** the traced mode's own ops: answered without op markers, they are not the scenario's traffic */
const TRACE_OPS = ['trace', 'extents', 'recover'];

function parseArgs(argv: string[]): { variant?: VariantName; traced: boolean; profile?: PmemMode } {
  let variant: VariantName | undefined;
  let traced = false;
  let profile: PmemMode | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--traced') {
      traced = true;
      continue;
    }
    if (a === '--profile' || a.startsWith('--profile=')) {
      const p = a === '--profile' ? argv[++i] : a.slice('--profile='.length);
      if (!(PMEM_MODES as readonly string[]).includes(p)) {
        console.error(`dax-process-server: unknown persistence profile "${p ?? ''}"; accepted: ${PMEM_MODES.join(', ')}`);
        process.exit(2);
      }
      profile = p as PmemMode;
      continue;
    }
    const v = a === '--variant' ? argv[++i] : a.startsWith('--variant=') ? a.slice('--variant='.length) : undefined;
    if (v === undefined && a !== '--variant') {
      console.error(`dax-process-server: unknown argument "${a}"; usage: server.ts [--variant <name>] [--traced] [--profile <profile>]`);
      process.exit(2);
    }
    if (!v || !isVariant(v)) {
      console.error(`dax-process-server: unknown variant "${v ?? ''}"; accepted: ${Object.keys(VARIANTS).join(', ')}`);
      process.exit(2);
    }
    variant = v;
  }
  return { variant, traced, profile };
}

type Answer = { id: unknown; ok: true; result: unknown } | { id: unknown; ok: false; errno: string; message: string };

function errorAnswer(id: unknown, e: unknown): Answer {
  if (e instanceof TargetError) return { id, ok: false, errno: e.errno, message: e.message };
  const err = e as { errno?: unknown; message?: unknown };
  if (e instanceof Error && typeof err.errno === 'string') return { id, ok: false, errno: err.errno, message: e.message };
  // the emulator validates hex with plain Errors; anything else is a bug in the emulator
  const message = e instanceof Error ? e.message : String(e);
  return /hex string/.test(message) ? { id, ok: false, errno: 'EINVAL', message } : { id, ok: false, errno: 'EIO', message: `internal error in the emulator: ${message}` };
}

async function main(): Promise<void> {
  const { variant, traced, profile } = parseArgs(process.argv.slice(2));
  const tracer = traced ? new TracedEmulator(variant, profile) : undefined;
  const target = tracer ? translateErrors(tracer) : new EmulatorTarget(variant, profile);
  const ops: readonly string[] = traced ? [...OPS, ...TRACE_OPS] : OPS;
  const h = await target.hello();
  const hello = { protocol: PROTOCOL_VERSION, ...h, description: `${h.description ?? h.name}, over the process protocol` };
  const send = (msg: object, then?: () => void) => process.stdout.write(JSON.stringify(msg) + '\n', then);
  send({ hello });

  const handle = async (line: string): Promise<void> => {
    let req: unknown;
    try {
      req = JSON.parse(line);
    } catch {
      send({ id: null, ok: false, errno: 'EINVAL', message: 'the request is not JSON' });
      return;
    }
    const r = (typeof req === 'object' && req !== null ? req : {}) as { id?: unknown; op?: unknown; args?: unknown };
    const id = typeof r.id === 'number' ? r.id : null;
    if (id === null) return void send({ id, ok: false, errno: 'EINVAL', message: 'the request has no numeric id' });
    if (typeof r.op !== 'string') return void send({ id, ok: false, errno: 'EINVAL', message: 'the request has no op' });
    const args = r.args === undefined || r.args === null ? {} : r.args;
    if (typeof args !== 'object' || Array.isArray(args)) return void send({ id, ok: false, errno: 'EINVAL', message: 'args must be an object' });
    if (r.op === 'hello') return void send({ id, ok: true, result: hello });
    if (r.op === 'close') {
      await target.close();
      send({ id, ok: true, result: null }, () => process.exit(0));
      return;
    }
    if (!ops.includes(r.op)) return void send({ id, ok: false, errno: 'ENOSYS', message: `unknown op "${r.op}"` });
    // every request is checked against the protocol's schema first: a missing or mistyped argument is EINVAL naming it
    const problem = checkArgs(r.op, args);
    if (problem) return void send({ id, ok: false, errno: 'EINVAL', message: `${r.op}: ${problem}` });
    const marked = tracer && !TRACE_OPS.includes(r.op);
    if (marked) tracer.recorder.mark(id, r.op, 'begin');
    try {
      const f = (target as unknown as Record<string, (a: unknown) => Promise<unknown>>)[r.op];
      const result = await f.call(target, args);
      send({ id, ok: true, result: result === undefined ? null : result });
    } catch (e) {
      send(errorAnswer(id, e));
    } finally {
      if (marked) tracer.recorder.mark(id, r.op, 'end');
    }
  };

  // one request at a time, in order
  let queue = Promise.resolve();
  const decoder = new StringDecoder('utf8');
  let buf = '';
  let discarding = false;
  process.stdin.on('data', (d: Buffer) => {
    let s = decoder.write(d);
    for (;;) {
      const nl = s.indexOf('\n');
      if (!discarding) buf += nl < 0 ? s : s.slice(0, nl);
      if (!discarding && Buffer.byteLength(buf) > MAX_LINE) {
        buf = '';
        discarding = true;
        queue = queue.then(() => void send({ id: null, ok: false, errno: 'E2BIG', message: 'request line longer than 1 MiB' }));
      }
      if (nl < 0) return;
      s = s.slice(nl + 1);
      const line = buf.replace(/\r$/, '');
      buf = '';
      if (discarding) discarding = false;
      else if (line.trim()) queue = queue.then(() => handle(line)).catch((e) => console.error(`dax-process-server: ${(e as Error).message}`));
    }
  });
  process.stdin.on('end', () => {
    queue.then(() => process.stdout.write('', () => process.exit(0)));
  });
}

main().catch((e) => {
  console.error(`dax-process-server: ${(e as Error).message}`);
  process.exit(1);
});
