// The persistent-memory trace of docs/protocol.md section 12: what a server with `pmem-trace` sends
// in answer to `trace`, and the line images the suite sends with `recover` and `remount`.

import { ImplementationError } from '../contract';

export type FlushInsn = 'clwb' | 'clflushopt' | 'clflush';
export type FenceInsn = 'sfence' | 'mfence' | 'locked';

/** bytes of a store or line image: hex, or a run of zero bytes (`zeros`: how many) */
export type Bytes = { data: string; zeros?: undefined } | { zeros: number; data?: undefined };

export type TraceEvent =
  | ({ k: 'base'; dev: string; off: number } & Bytes)
  | ({ k: 'st'; dev: string; off: number } & Bytes)
  | ({ k: 'nt'; dev: string; off: number } & Bytes)
  | { k: 'fl'; dev: string; off: number; len?: number; insn: FlushInsn }
  | { k: 'fe'; insn: FenceInsn }
  /** virtio-pmem: the host acknowledged a flush request (virtio_pmem_flush): what fences wrote back is durable (on `dev` only, when named: each device is its own host file) */
  | { k: 'hf'; dev?: string }
  | { k: 'op'; seq: number; op: string; phase: 'begin' | 'end' };

/** the answer to `trace`: events in execution order; `more` when the server holds back the rest */
export interface TraceChunk {
  events: TraceEvent[];
  more?: boolean;
}

/** where a file's bytes live (FIEMAP), in the answer to `extents` */
export interface Extent {
  offset: number; // in the file (or block device)
  length: number;
  dev: string; // the namespace, as the trace names it
  devOffset: number;
  unwritten?: boolean; // allocated but reads as zeros
}

/** consecutive 64-byte lines of a crash image, in `recover` and `remount` */
export type LineRun = { dev: string; off: number } & Bytes;

/** consecutive lines the suite watches in `recover`; the answer's `read` names those the evaluation read */
export interface LineRange {
  dev: string;
  off: number;
  len: number;
}

export interface RecoverAnswer {
  ok: boolean;
  reason?: string;
  /** the watched lines the evaluation read; absent: the server cannot tell, every watched line counts as read */
  read?: LineRange[];
}

export const TRACE_CAPABILITY = 'pmem-trace';

const FLUSH: readonly string[] = ['clwb', 'clflushopt', 'clflush'];
const FENCE: readonly string[] = ['sfence', 'mfence', 'locked'];
const HEX = /^(?:[0-9a-f]{2})*$/;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isOffset = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function bytesOf(e: Record<string, unknown>): boolean {
  if (e.data !== undefined) return typeof e.data === 'string' && HEX.test(e.data) && e.zeros === undefined;
  return isOffset(e.zeros);
}

/** one event's shape, or the reason it is wrong */
function eventProblem(e: unknown): string | undefined {
  if (!isObj(e)) return 'it is not an object';
  switch (e.k) {
    case 'base':
    case 'st':
    case 'nt':
      if (typeof e.dev !== 'string' || !e.dev) return 'it has no "dev"';
      if (!isOffset(e.off)) return '"off" is not a non-negative integer';
      if (!bytesOf(e)) return 'it needs "data" (lowercase hex) or "zeros" (a byte count)';
      if (e.k === 'base' && (e.off % 64 !== 0 || byteLength(e as Bytes) !== 64)) return 'a base event is one whole 64-byte line at a line-aligned offset';
      return undefined;
    case 'fl':
      if (typeof e.dev !== 'string' || !e.dev) return 'it has no "dev"';
      if (!isOffset(e.off)) return '"off" is not a non-negative integer';
      if (e.len !== undefined && !(isOffset(e.len) && e.len > 0)) return '"len" is not a positive integer';
      if (!FLUSH.includes(e.insn as string)) return `"insn" is not one of ${FLUSH.join(', ')}`;
      return undefined;
    case 'fe':
      return FENCE.includes(e.insn as string) ? undefined : `"insn" is not one of ${FENCE.join(', ')}`;
    case 'hf':
      return e.dev === undefined || (typeof e.dev === 'string' && e.dev) ? undefined : '"dev" is not a namespace name';
    case 'op':
      return Number.isSafeInteger(e.seq) && typeof e.op === 'string' && (e.phase === 'begin' || e.phase === 'end') ? undefined : 'a marker needs "seq", "op" and "phase" (begin or end)';
    default:
      return `"k" is ${JSON.stringify(e.k)}, not base, st, nt, fl, fe, hf or op`;
  }
}

/** the answer to `trace`, checked: a malformed event ends the scenario with one sentence */
export function parseTraceChunk(r: unknown, label: string): TraceChunk {
  if (!isObj(r) || !Array.isArray(r.events) || (r.more !== undefined && typeof r.more !== 'boolean')) {
    throw new ImplementationError(`process "${label}" answered "trace" without an "events" list`);
  }
  for (let i = 0; i < r.events.length; i++) {
    const why = eventProblem(r.events[i]);
    if (why) throw new ImplementationError(`process "${label}" sent a bad trace event (${why}): ${JSON.stringify(r.events[i]).slice(0, 120)}`);
  }
  return r as unknown as TraceChunk;
}

export function parseExtents(r: unknown, label: string, path: string): Extent[] {
  const ok = Array.isArray(r) && r.every((x) => isObj(x) && isOffset(x.offset) && isOffset(x.length) && typeof x.dev === 'string' && isOffset(x.devOffset));
  if (!ok) throw new ImplementationError(`process "${label}" answered "extents" of ${path} with something other than a list of {offset, length, dev, devOffset}`);
  return r as Extent[];
}

export function parseRecover(r: unknown, label: string): RecoverAnswer {
  const ok = isObj(r) && typeof r.ok === 'boolean' && (r.read === undefined || (Array.isArray(r.read) && r.read.every((x) => isObj(x) && typeof x.dev === 'string' && isOffset(x.off) && isOffset(x.len))));
  if (!ok) throw new ImplementationError(`process "${label}" answered "recover" with something other than {ok, reason?, read?}`);
  return r as unknown as RecoverAnswer;
}

export function byteLength(b: Bytes): number {
  return b.data !== undefined ? b.data.length / 2 : b.zeros!;
}

export function bytesValue(b: Bytes): Uint8Array {
  return b.data !== undefined ? new Uint8Array(Buffer.from(b.data, 'hex')) : new Uint8Array(b.zeros!);
}

/** the wire form of some bytes: a zero run travels as its length */
export function encodeBytes(d: Uint8Array): Bytes {
  for (let i = 0; i < d.length; i++) if (d[i] !== 0) return { data: Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('hex') };
  return { zeros: d.length };
}
