// Trace points of the persistence domain, in the order the CPU issues them: a store (cached or
// non-temporal) with its bytes, a write-back of a line range, a fence. Like the kernel's tracepoints
// they only observe: whoever attaches here (a recorder of the process server) changes nothing.

export interface PmemTracepoints {
  /** one store instruction (or one copy of the pmem driver), `nt` when it bypasses the cache */
  store(addr: number, data: Uint8Array, nt: boolean): void;
  /** a write-back of every line of [addr, addr + len): clwb, clflushopt or clflush, one per line */
  flush(addr: number, len: number, insn: 'clwb' | 'clflushopt' | 'clflush'): void;
  /** sfence (wmb_pmem) */
  fence(): void;
  /** virtio-pmem: the host's answer to a flush request, after which its page cache is on media (of the device at `range` only, when given) */
  hostFlush(range?: { base: number; size: number }): void;
}
