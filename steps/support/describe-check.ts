// A crash check in words, for failure messages and the report.

import { CrashCheck } from '../../targets/contract';

export function describeCheck(c: CrashCheck): string {
  switch (c.kind) {
    case 'file-holds':
      return `${c.path} holds ${c.data.length / 2} bytes at offset ${c.offset}`;
    case 'device-holds':
      return `/dev/${c.dev} holds ${c.data.length / 2} bytes at offset ${c.offset}`;
    case 'fsck-clean':
      return `fsck of /dev/${c.dev} is clean`;
    case 'dir-lists':
      return `${c.path} lists ${c.names.join(', ')}`;
    case 'exists':
      return `${c.path} exists`;
    case 'xattr':
      return c.value === null ? `${c.path} has no extended attribute ${c.name}` : `${c.path} has extended attribute ${c.name} = ${c.value}`;
    case 'file-size':
      return `${c.path} is ${c.size} bytes`;
    case 'all':
      return c.checks.map(describeCheck).join(' and ');
    case 'not':
      return `not (${describeCheck(c.check)})`;
    case 'implies':
      return `if ${describeCheck(c.if)} then ${describeCheck(c.then)}`;
  }
}
