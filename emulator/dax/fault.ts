// The DAX fault handlers (seed 002): __dax_fault, __dax_pmd_fault and dax_pfn_mkwrite, each
// recording the mapping in the radix tree so fsync/msync/sync(2) know what to write back.

import type { DaxEntry } from '../mm/address-space';
import { PAGES_PER_PMD, PMD_SIZE } from '../mm/address-space';
import type { FaultHandlers, Pte, Vma } from '../mm/vma';
import type { Inode } from '../mm/inode';
import type { Faults } from '../faults';
import { dax_radix_entry, pmdCovering } from './radix-entry';
import { SECTOR_SIZE } from '../nvdimm/namespace';
import { PAGE_SIZE } from '../mm/address-space';
import { PmemError } from '../pmem/memory';

export interface DaxFaultEnv {
  faults: Faults;
  /** MAP_SYNC: make the block allocation durable before the write fault returns (dax_finish_sync_fault) */
  syncMetadata?(inode: Inode): void;
}

function entryFor(inode: Inode, index: number, write: boolean, type: 'pte' | 'pmd'): DaxEntry | undefined {
  const map = inode.get_block(index, write);
  if (!map) return undefined;
  // dax_iomap_direct_access(): a page with known poison cannot be mapped
  const { addr } = map.bdev.direct_access(map.sector, PAGE_SIZE);
  return { kind: 'dax', type, bdev: map.bdev, sector: map.sector, phys: addr };
}

/** a PTE fault that fails (poison's EIO, a full filesystem's ENOSPC) is VM_FAULT_SIGBUS (dax_fault_return); a PMD fault falls back */
function mapOrSigbus<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof PmemError) throw new PmemError('SIGBUS', `${what}: ${e.message}`);
    throw e;
  }
}

/** a PMD fault whose block mapping or direct_access fails falls back to PTEs (VM_FAULT_FALLBACK): undefined */
function pmdFallback<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof PmemError) return undefined;
    throw e;
  }
}

export function daxFaultHandlers(env: DaxFaultEnv): FaultHandlers {
  /** __dax_pmd_fault(): a 2 MiB entry where 2 MiB of contiguous, aligned pmem backs the range; undefined falls back */
  function dax_pmd_fault(vma: Vma, head: number, write: boolean): Pte | undefined {
    const inode = vma.inode;
    // a write over a shared block copies it page by page: no huge page there
    if (write && inode.iomap_shared) for (let i = 0; i < PAGES_PER_PMD; i++) if (inode.iomap_shared(head + i)) return undefined;
    const first = pmdFallback(() => entryFor(inode, head, write, 'pmd'));
    // Fall back to PTEs unless 2 MiB of contiguous, 2 MiB-aligned pmem backs the range.
    if (!first || first.phys % PMD_SIZE !== 0) return undefined;
    for (let i = 1; i < PAGES_PER_PMD; i++) {
      const m = inode.get_block(head + i, write);
      if (!m) return undefined;
      if (m.bdev !== first.bdev) return undefined;
      if (m.sector !== first.sector + (i * PAGE_SIZE) / SECTOR_SIZE) return undefined;
    }
    // known poison anywhere in the 2 MiB: VM_FAULT_FALLBACK, and the PTE faults decide page by page
    if (pmdFallback(() => first.bdev.direct_access(first.sector, PMD_SIZE)) === undefined) return undefined;
    dax_radix_entry(inode.mapping, head, first, write, env.faults);
    return { phys: first.phys, writable: write };
  }

  return {
    fault(vma: Vma, index: number, flagWrite: boolean): Pte {
      const inode = vma.inode;
      // A private write fault only reads the file: the copy goes to an anonymous page (MS-8, 4.13).
      const write = flagWrite && vma.shared;
      const handle = write || (flagWrite && env.faults.has('ro-private-fault-journal'));
      if (handle && inode.sb.journal_start) {
        try {
          inode.sb.journal_start();
        } catch (e) {
          // a fault handler cannot return an errno: a failed handle is VM_FAULT_SIGBUS
          if ((e as PmemError).errno === 'EROFS') throw new PmemError('SIGBUS', `write fault at page ${index} of ${vma.path}: ${(e as Error).message}`);
          throw e;
        }
      }
      // MAP_SYNC: a write fault that allocates must make the allocation durable before returning
      const allocates = write && vma.sync && inode.get_block(index, false) === undefined;
      const entry = mapOrSigbus(`fault at page ${index} of ${vma.path}`, () => entryFor(inode, index, write, 'pte'));
      // A read of a hole maps the zero page read-only and records nothing (MS-4).
      if (!entry) return { phys: undefined, writable: false };
      if (allocates) {
        if (!env.faults.has('no-map-sync')) env.syncMetadata?.(inode);
      }
      dax_radix_entry(inode.mapping, index, entry, write, env.faults);
      const cover = pmdCovering(inode.mapping, index);
      // If a PMD entry already covers the page, the PTE maps the same pmem the PMD entry tracks.
      const phys = cover ? cover[1].phys + (index - cover[0]) * PAGE_SIZE : (inode.mapping.lookup(index) as DaxEntry | undefined)?.phys ?? entry.phys;
      return { phys, writable: write };
    },

    pmdFault(vma: Vma, head: number, write: boolean): Pte | undefined {
      const inode = vma.inode;
      // MAP_SYNC: dax_iomap_pmd_fault() returns VM_FAULT_NEEDDSYNC too, so an allocating PMD fault syncs like a PTE one
      let allocates = false;
      for (let i = 0; write && vma.sync && !allocates && i < PAGES_PER_PMD; i++) allocates = inode.get_block(head + i, false) === undefined;
      const pte = dax_pmd_fault(vma, head, write);
      if (allocates && !env.faults.has('no-map-sync')) env.syncMetadata?.(inode);
      return pte;
    },

    *pfnMkwrite(vma: Vma, index: number, pte: Pte): Generator<string, boolean, void> {
      // The schedule's stop point: the fault is taken, the tree is not yet locked.
      yield 'pfn_mkwrite';
      const mapping = vma.inode.mapping;
      // a read-only page of a shared block: the write takes the whole fault, which copies the block first
      const span = pmdCovering(mapping, index) ? PAGES_PER_PMD : 1;
      const shared = vma.inode.iomap_shared;
      if (shared && !env.faults.has('dax-writes-shared-in-place')) {
        for (let i = index; i < index + span; i++) {
          if (shared.call(vma.inode, i)) {
            vma.zap(index, index + span - 1, false);
            return false;
          }
        }
      }
      const gone = !mapping.lookup(index) && !pmdCovering(mapping, index);
      if (gone && env.faults.has('mkwrite-inserts-on-race') && pte.phys !== undefined) {
        // The historical bug: an entry for the punched-out block goes back into the tree.
        const stale: DaxEntry = { kind: 'dax', type: 'pte', bdev: vma.inode.sb.s_bdev, sector: -1, phys: pte.phys };
        mapping.insert(index, stale);
        mapping.tagSet(index, 'DIRTY');
        return true;
      }
      dax_radix_entry(mapping, index, undefined, true, env.faults);
      return true;
    },
  };
}
