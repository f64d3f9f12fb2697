// Kernel versions of the rules (@since:/@until: tags) against a target's kernel release (hooks.ts skips by them); pure, so unit tests load it.

/** "6.1.0-28-amd64" -> [6, 1, 0]; undefined when it does not start with a version */
export function parseKernel(release: string): number[] | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/** why a scenario with these tags does not apply to `kernel`, or undefined when it does */
export function notForKernel(tags: readonly string[], kernel: string): string | undefined {
  const k = parseKernel(kernel);
  if (!k) return undefined;
  const since = tags.find((t) => t.startsWith('@since:'))?.slice('@since:'.length);
  const until = tags.find((t) => t.startsWith('@until:'))?.slice('@until:'.length);
  if (since && compare(k, parseKernel(since)!) < 0) return `the rule holds since Linux ${since}; this target runs ${kernel}`;
  // @until:4.6 covers every 4.6.x release
  if (until && compare(k.slice(0, 2), parseKernel(until)!.slice(0, 2)) > 0) return `the rule held until Linux ${until} (a later kernel dropped the promise); this target runs ${kernel}`;
  return undefined;
}
