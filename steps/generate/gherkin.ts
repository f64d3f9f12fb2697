// A generated workload in the suite's own step words, so a failing case pastes into a feature as is.

import { devName, FileName, isFs, KiB, MiB, Op, PAGE, Setup, tagOf, Workload } from './workload';

/** a size as the features write it: "2 MiB", "4 KiB", or bytes */
export function sizeWords(n: number): string {
  if (n > 0 && n % MiB === 0) return `${n / MiB} MiB`;
  if (n > 0 && n % KiB === 0) return `${n / KiB} KiB`;
  return String(n);
}

function data(i: number, len: number): string {
  return `"${tagOf(i)}"${len > 1 ? ` x ${len}` : ''}`;
}

function shown(s: Setup, f: FileName): string {
  return f === 'dev' ? `/dev/${devName(s)}` : `/${f}`;
}

export function setupLines(s: Setup): string[] {
  if (s.kind === 'raw') return [`Given a ${sizeWords(s.nsSize)} pmem namespace pmem0`];
  if (s.kind === 'partition') {
    return [`Given a ${sizeWords(s.nsSize)} pmem namespace pmem0 with partitions pmem0p1 at sector ${s.startSector} of ${sizeWords(s.devSize)}`];
  }
  const lines = [`Given a ${sizeWords(s.nsSize)} pmem namespace pmem0`];
  if (s.stale) lines.push(`And the first ${sizeWords(s.nsSize)} of /dev/pmem0 held stale bytes beforehand`);
  lines.push(`And an ${s.kind} filesystem mounted with dax on pmem0`);
  lines.push(s.sparseA ? `And a sparse file /A of ${sizeWords(s.sizeA)}, synced` : `And a file /A with ${sizeWords(s.sizeA)} written and synced`);
  lines.push(`And a file /B with ${sizeWords(s.sizeB)} written and synced`);
  return lines;
}

/** the step lines of one operation (the `i`th, 1-based: its data character) */
export function opLines(s: Setup, op: Op, i: number): string[] {
  switch (op.op) {
    case 'write':
      return [`the application writes ${data(i, op.len)} to ${shown(s, op.file)} at offset ${op.off} with write(2)`];
    case 'map':
      if (op.mode === 'sync') return [`${shown(s, op.file)} is mapped shared with MAP_SYNC`];
      if (op.mode === 'private') return [`${shown(s, op.file)} is mapped private`];
      return [`${shown(s, op.file)} is mapped shared with ${op.pmd ? 'PMD' : 'PTE'} pages`];
    case 'store':
      return [`the application stores ${data(i, op.len)} through the mapping of ${shown(s, op.file)} at offset ${op.off}${op.persist ? ' and persists it with clwb and sfence' : ''}`];
    case 'scatter':
      return Array.from({ length: op.count }, (_, k) => `the application stores ${data(i, op.len)} through the mapping of ${shown(s, op.file)} at offset ${(op.page + k * op.stride) * PAGE}`);
    case 'truncate':
      return [`${shown(s, op.file)} is truncated to ${sizeWords(op.size)}`];
    case 'punch':
      return [`a hole is punched over ${op.len} bytes at offset ${op.off} of ${shown(s, op.file)}`];
    case 'fallocate':
      return [`the application fallocates ${sizeWords(op.len)} at offset ${op.off} of ${shown(s, op.file)}`];
    case 'fsync':
      return [`the application calls ${op.datasync ? 'fdatasync' : 'fsync'} on ${shown(s, op.file)}`];
    case 'msync':
      return [`the application calls msync(MS_SYNC) on ${op.len} bytes at offset ${op.off} of the mapping of ${shown(s, op.file)}`];
    case 'sync':
      return ['the application calls sync(2)'];
    case 'remount':
      return [...(op.unmap ?? []).map((f) => `${shown(s, f)} is unmapped`), 'the filesystem is unmounted and mounted again'];
    case 'cpu': {
      const dev = devName(s);
      const lines = [`the CPU stores ${data(i, op.len)} to ${dev} at offset ${op.off}`, `the CPU writes back ${op.flushLen} bytes at offset ${op.flushOff} of ${dev} with ${op.insn}`];
      if (op.fence) lines.push('the CPU fences with sfence');
      return lines;
    }
  }
}

/** the whole scenario: set-up, operations, power failure and the Then line of the promise that broke */
export function scenarioText(w: Workload, title: string, then?: string): string {
  const out = [`Scenario: ${title}`, ...setupLines(w.setup).map((l) => `  ${l}`)];
  w.ops.forEach((op, k) => opLines(w.setup, op, k + 1).forEach((l, j) => out.push(`  ${k === 0 && j === 0 ? 'When' : 'And'} ${l}`)));
  out.push('  And power fails');
  if (then) out.push(`  ${then}`);
  return out.join('\n');
}

/** one line per operation, for summaries */
export function describeOps(w: Workload): string {
  const kind = isFs(w.setup.kind) ? w.setup.kind : devName(w.setup);
  return `${kind}: ${w.ops.map((o) => o.op).join(', ')}`;
}
