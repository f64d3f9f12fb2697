// The traced reference server's recorder: attached to the emulator's persistent-memory trace points,
// it keeps every store, write-back and fence as a trace event of docs/protocol.md section 12 until the
// suite pulls them with `trace`.

import { PmemTracepoints } from '../../emulator/pmem/trace';
import { Machine } from '../../emulator/machine';
import { encodeBytes, TraceChunk, TraceEvent } from '../traced/events';

/** one `trace` answer stays well under the protocol's 1 MiB line */
const CHUNK_BYTES = 512 * 1024;
/** a long copy travels as events of at most this many bytes (line-aligned pieces of one store) */
const STORE_PIECE = 64 * 1024;

export class TraceRecorder implements PmemTracepoints {
  private events: TraceEvent[] = [];
  private sizes: number[] = [];
  private head = 0;
  private machine: Machine | undefined;

  /** record the traffic of this machine's memory from now on (a fresh machine, a remounted one) */
  attach(machine: Machine): void {
    this.machine = machine;
    machine.mem.tracepoints = this;
  }

  /** a new trace: the fresh machine's media are all zero, so no base lines are needed */
  restart(machine: Machine): void {
    this.events = [];
    this.sizes = [];
    this.head = 0;
    this.attach(machine);
  }

  private where(addr: number): { dev: string; off: number } {
    for (const ns of this.machine!.namespaces.values()) if (addr >= ns.base && addr < ns.base + ns.size) return { dev: ns.name, off: addr - ns.base };
    throw new Error(`persistent memory at 0x${addr.toString(16)} belongs to no namespace`);
  }

  private push(e: TraceEvent, size: number): void {
    this.events.push(e);
    this.sizes.push(size);
  }

  store(addr: number, data: Uint8Array, nt: boolean): void {
    const { dev, off } = this.where(addr);
    for (let at = 0; at < data.length; ) {
      const end = Math.min(data.length, (Math.floor((off + at) / STORE_PIECE) + 1) * STORE_PIECE - off);
      const bytes = encodeBytes(data.subarray(at, end));
      this.push({ k: nt ? 'nt' : 'st', dev, off: off + at, ...bytes } as TraceEvent, 60 + (bytes.data?.length ?? 0));
      at = end;
    }
  }

  flush(addr: number, len: number, insn: 'clwb' | 'clflushopt' | 'clflush'): void {
    // a range over several namespaces (the big hammer flushes each on its own) never happens in one call
    const { dev, off } = this.where(addr);
    this.push({ k: 'fl', dev, off, len, insn }, 70);
  }

  fence(): void {
    this.push({ k: 'fe', insn: 'sfence' }, 24);
  }

  hostFlush(range?: { base: number; size: number }): void {
    // a device's own flush request (each virtio-pmem device is its own host file)
    this.push(range ? { k: 'hf', dev: this.where(range.base).dev } : { k: 'hf' }, 30);
  }

  /** protocol request `seq` named `op` begins or ends */
  mark(seq: number, op: string, phase: 'begin' | 'end'): void {
    this.push({ k: 'op', seq, op, phase }, 50 + op.length);
  }

  /** the next events in order, at most about CHUNK_BYTES of JSON; `more` when some are held back */
  take(): TraceChunk {
    let size = 0;
    let end = this.head;
    while (end < this.events.length && (end === this.head || size + this.sizes[end] <= CHUNK_BYTES)) size += this.sizes[end++];
    const events = this.events.slice(this.head, end);
    this.head = end;
    if (this.head === this.events.length) {
      this.events = [];
      this.sizes = [];
      this.head = 0;
    }
    return this.head < this.events.length ? { events, more: true } : { events };
  }
}
