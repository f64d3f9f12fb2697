// A byte range's values as runs: [start, end) -> value, so a 4 MiB file costs a few entries, not 4 Mi.

export interface Run {
  start: number;
  end: number;
  v: number;
}

export class Runs {
  /** sorted, contiguous, covering [0, Infinity) */
  private segs: Run[];

  constructor(initial: number) {
    this.segs = [{ start: 0, end: Infinity, v: initial }];
  }

  clone(): Runs {
    const r = new Runs(0);
    r.segs = this.segs.map((s) => ({ ...s }));
    return r;
  }

  set(start: number, end: number, v: number): void {
    if (end <= start) return;
    const out: Run[] = [];
    for (const s of this.segs) {
      if (s.end <= start || s.start >= end) {
        out.push(s);
        continue;
      }
      if (s.start < start) out.push({ start: s.start, end: start, v: s.v });
      if (s.end > end) out.push({ start: end, end: s.end, v: s.v });
    }
    out.push({ start, end, v });
    out.sort((a, b) => a.start - b.start);
    // merge neighbours holding the same value
    const merged: Run[] = [];
    for (const s of out) {
      const last = merged[merged.length - 1];
      if (last && last.v === s.v && last.end === s.start) last.end = s.end;
      else merged.push(s);
    }
    this.segs = merged;
  }

  /** the runs inside [start, end), clipped */
  get(start: number, end: number): Run[] {
    const out: Run[] = [];
    for (const s of this.segs) {
      if (s.end <= start || s.start >= end) continue;
      out.push({ start: Math.max(s.start, start), end: Math.min(s.end, end), v: s.v });
    }
    return out;
  }
}
