// The table of personalities by filesystem type name.

import { PmemError } from '../pmem/memory';
import { ext2 } from './ext2/ext2';
import { ext4 } from './ext4/ext4';
import { xfs } from './xfs/xfs';
import type { Personality } from './personality';

const TABLE: Record<string, Personality> = { ext2, ext4, xfs };

export function personality(fs: string): Personality {
  const p = TABLE[fs];
  if (!p) throw new PmemError('EINVAL', `unknown filesystem type "${fs}": use ext2, ext4 or xfs`);
  return p;
}
