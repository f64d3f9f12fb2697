// Absolute paths and the mount table: the longest mounted directory prefix owns a path.

import { PmemError } from '../pmem/memory';

/** paths already normalized: a scenario names a handful, thousands of times */
const normalized = new Map<string, string>();

export function normalize(path: string): string {
  const known = normalized.get(path);
  if (known !== undefined) return known;
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new PmemError('EINVAL', `path "${path}" must be absolute (start with "/")`);
  }
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new PmemError('EINVAL', `path "${path}" must not contain ".."`);
  if (normalized.size >= 4096) normalized.clear();
  const out = '/' + parts.join('/');
  normalized.set(path, out);
  return out;
}

export function components(path: string): string[] {
  return normalize(path).split('/').filter(Boolean);
}

/** the mount whose directory is the longest prefix of `path`, and the components below it */
export function splitMount<T>(mounts: Map<string, T>, path: string): { dir: string; mount: T; rest: string[] } {
  const p = normalize(path);
  let best: string | undefined;
  for (const dir of mounts.keys()) {
    if (p === dir || p.startsWith(dir === '/' ? '/' : dir + '/')) {
      if (!best || dir.length > best.length) best = dir;
    }
  }
  if (best === undefined) {
    const known = [...mounts.keys()].join(', ') || 'none';
    throw new PmemError('ENOENT', `${p} is on no mounted filesystem (mounted: ${known})`);
  }
  return { dir: best, mount: mounts.get(best)!, rest: components(p).slice(components(best).length) };
}
