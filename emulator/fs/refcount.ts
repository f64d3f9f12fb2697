// xfs reflink's reference counts: how many files' maps name each shared block (the refcount btree; one
// leaf of (block, count) records here). A block named once has no record.

import { PmemError } from '../pmem/memory';
import { BLOCK_SIZE, view } from './format';

const RECORDS = BLOCK_SIZE / 8;

export class RefcountLeaf {
  constructor(
    /** the leaf block, as the metadata layer holds it */
    private readonly block: () => Uint8Array,
    /** log the leaf's change with the transaction of `owner` */
    private readonly dirty: (owner: { assoc: Set<number> }) => void,
  ) {}

  /** the number of files that map `blk`: 1 without a record */
  get(blk: number): number {
    const v = view(this.block());
    for (let i = 0; i < RECORDS; i++) {
      const b = v.getUint32(i * 8, true);
      if (b === 0) break;
      if (b === blk) return v.getUint32(i * 8 + 4, true);
    }
    return 1;
  }

  set(blk: number, count: number, owner: { assoc: Set<number> }): void {
    const recs = this.records().filter(([b]) => b !== blk);
    if (count > 1) recs.push([blk, count]);
    if (recs.length > RECORDS) throw new PmemError('ENOSPC', `the refcount leaf holds at most ${RECORDS} shared blocks`);
    recs.sort((a, b) => a[0] - b[0]);
    const data = this.block();
    data.fill(0);
    const v = view(data);
    recs.forEach(([b, c], i) => {
      v.setUint32(i * 8, b, true);
      v.setUint32(i * 8 + 4, c, true);
    });
    this.dirty(owner);
  }

  records(): Array<[number, number]> {
    return decodeRefcounts(this.block());
  }
}

/** the (block, count) records of a leaf block, as xfs_repair reads them */
export function decodeRefcounts(data: Uint8Array): Array<[number, number]> {
  const v = view(data);
  const out: Array<[number, number]> = [];
  for (let i = 0; i < RECORDS; i++) {
    const b = v.getUint32(i * 8, true);
    if (b === 0) break;
    out.push([b, v.getUint32(i * 8 + 4, true)]);
  }
  return out;
}
