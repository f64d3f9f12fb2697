// The common frame of the capture's self-checks (trace-probe.ts, virtio-probe.ts): checks that print
// ok/FAIL, one probe per filesystem named on the command line, exit 1 when a check failed.

let failures = 0;

/** print one check's verdict; a failed one makes the run exit 1 */
export function check(what: string, ok: boolean, detail = ''): void {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? `: ${detail}` : ''}`);
  if (!ok) failures++;
}

/** run `probe` for each filesystem of argv (ext4 when none), then exit 1 if a check failed (`what` is what is then broken), 2 if a probe threw */
export function runProbes(probe: (fs: 'ext4' | 'xfs') => Promise<void>, what: string): void {
  const main = async (): Promise<void> => {
    const fss = (process.argv.slice(2).length ? process.argv.slice(2) : ['ext4']) as ('ext4' | 'xfs')[];
    for (const fs of fss) await probe(fs);
    if (failures) {
      console.log(`${failures} check(s) failed: ${what} is broken`);
      process.exit(1);
    }
  };
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(2);
  });
}
