// The five source messages the rules come from: cited by file name and subject, never copied.

export interface Seed {
  file: string;
  subject: string;
  author: string;
  date: string;
}

export const SEEDS: Seed[] = [
  { file: '000_7aa147f050932869.txt', subject: '[PATCH v2 0/2] DAX bdev fixes - move flushing calls to FS', author: 'Ross Zwisler', date: '2016-02-10' },
  { file: '001_b92c2fd6bf0014a8.txt', subject: 'Re: [RFC 00/11] DAX fsynx/msync support', author: 'Ross Zwisler', date: '2015-10-30' },
  { file: '002_942ec44a608dccaf.txt', subject: '[PATCH v4 4/7] dax: add support for fsync/sync', author: 'Ross Zwisler', date: '2015-12-14' },
  { file: '003_73f96a82e16539d0.txt', subject: 'Re: [PATCH v2 0/2] DAX bdev fixes - move flushing calls to FS', author: 'Ross Zwisler', date: '2016-02-12' },
  { file: '004_0939b2a0aa78b1f1.txt', subject: 'Re: [PATCH 5/5] block: enable dax for raw block devices', author: 'Dan Williams', date: '2015-10-22' },
];

/** a lore.kernel.org search on the subject line: where a reviewer reads the whole thread */
export function seedLink(file: string): string | undefined {
  const s = SEEDS.find((x) => x.file === file);
  if (!s) return undefined;
  const subject = s.subject.replace(/^Re: /, '');
  return `https://lore.kernel.org/all/?q=${encodeURIComponent(`s:"${subject}"`)}`;
}
