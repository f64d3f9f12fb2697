// A run's result read from its cucumber message stream: per scenario its status, tags (rule ids), failure
// message and time. The stream can be read whole after the run, or followed while cucumber writes it.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { classify, sentence, VerdictClass } from '../../steps/support/verdict';

export interface ScenarioResult {
  name: string;
  uri: string;
  line: number;
  tags: string[];
  rules: string[];
  status: 'passed' | 'failed' | 'skipped' | 'undefined' | 'pending' | 'ambiguous' | 'unknown';
  message?: string;
  /** Cucumber's id of the test case, to link a matrix cell to the scenario */
  id: string;
  /** the variant switches the target read in this scenario (recorded with DAX_RECORD_SWITCHES=1) */
  switches?: string[];
  /** for a scenario that neither passed nor was skipped: who is to blame (steps/support/verdict.ts) */
  verdict?: VerdictClass;
  /** its failure in one sentence: the rule id, IMPLEMENTATION: or INPUT: first */
  sentence?: string;
  /** how long it ran (the matrix's --caught-only runs the cheapest first) */
  ms?: number;
}

/** the media type of the After hook's attachment listing the switches a scenario read (steps/support/hooks.ts) */
export const SWITCHES_MEDIA_TYPE = 'application/vnd.dax.switches-read+json';

const RANK: Record<string, number> = { UNKNOWN: 0, PASSED: 1, SKIPPED: 2, PENDING: 3, UNDEFINED: 4, AMBIGUOUS: 5, FAILED: 6 };

/** the envelopes a run's result is read from; the others (sources, step starts, most attachments: most of the bytes) are not parsed */
const WANTED = ['gherkinDocument', 'pickle', 'testCase', 'testCaseStarted', 'testStepFinished', 'testCaseFinished'].map((k) => `{"${k}":`);

/** an envelope has one key, which cucumber's message formatter (JSON.stringify) writes first */
function wanted(line: string): boolean {
  if (line.startsWith('{"attachment":')) return line.includes(SWITCHES_MEDIA_TYPE);
  return WANTED.some((k) => line.startsWith(k));
}

const stamp = (t: { seconds: number; nanos: number }) => t.seconds * 1000 + t.nanos / 1e6;

/** the scenarios of a message stream, fed one line (envelope) at a time */
export class MessageResults {
  private readonly pickles = new Map<string, { name: string; uri: string; tags: string[]; astNodeIds: string[] }>();
  private readonly lines = new Map<string, number>();
  private readonly testCases = new Map<string, string>(); // testCase id -> pickle id
  private readonly started = new Map<string, string>(); // testCaseStarted id -> testCase id
  private readonly ms = new Map<string, number>(); // testCaseStarted id -> start, then duration (ms)
  private readonly worst = new Map<string, { status: string; message?: string }>();
  private readonly finished = new Set<string>();
  private readonly switches = new Map<string, string[]>(); // testCaseStarted id -> switches read

  add(line: string): void {
    if (!wanted(line)) return;
    let env;
    try {
      env = JSON.parse(line);
    } catch {
      return; // the last line of a stream whose process was killed: its scenario never finished, the exit code tells
    }
    if (env.gherkinDocument?.feature) {
      const visit = (children: Array<Record<string, any>>) => {
        for (const c of children) {
          if (c.scenario) {
            this.lines.set(c.scenario.id, c.scenario.location.line);
            for (const ex of c.scenario.examples ?? []) for (const row of ex.tableBody ?? []) this.lines.set(row.id, row.location.line);
          }
          if (c.rule) visit(c.rule.children);
        }
      };
      visit(env.gherkinDocument.feature.children);
    }
    if (env.pickle) this.pickles.set(env.pickle.id, { name: env.pickle.name, uri: env.pickle.uri, tags: env.pickle.tags.map((t: { name: string }) => t.name), astNodeIds: env.pickle.astNodeIds });
    if (env.testCase) this.testCases.set(env.testCase.id, env.testCase.pickleId);
    if (env.testCaseStarted) {
      this.started.set(env.testCaseStarted.id, env.testCaseStarted.testCaseId);
      if (env.testCaseStarted.timestamp) this.ms.set(env.testCaseStarted.id, stamp(env.testCaseStarted.timestamp));
    }
    if (env.testStepFinished) {
      const id = env.testStepFinished.testCaseStartedId;
      const r = env.testStepFinished.testStepResult;
      const cur = this.worst.get(id);
      if (!cur || RANK[r.status] > RANK[cur.status]) this.worst.set(id, { status: r.status, message: r.message ?? r.exception?.message });
    }
    if (env.attachment?.mediaType === SWITCHES_MEDIA_TYPE && env.attachment.testCaseStartedId) this.switches.set(env.attachment.testCaseStartedId, JSON.parse(env.attachment.body));
    if (env.testCaseFinished && !env.testCaseFinished.willBeRetried) {
      const id = env.testCaseFinished.testCaseStartedId;
      this.finished.add(id);
      if (this.ms.has(id) && env.testCaseFinished.timestamp) this.ms.set(id, stamp(env.testCaseFinished.timestamp) - this.ms.get(id)!);
    }
  }

  /** every scenario that finished, in the order they started */
  results(): ScenarioResult[] {
    const out: ScenarioResult[] = [];
    for (const [startedId, tcId] of this.started) {
      if (!this.finished.has(startedId)) continue;
      const p = this.pickles.get(this.testCases.get(tcId)!)!;
      const w = this.worst.get(startedId) ?? { status: 'PASSED' };
      const node = p.astNodeIds[p.astNodeIds.length - 1];
      const failed = w.status !== 'PASSED' && w.status !== 'SKIPPED';
      out.push({
        id: tcId,
        name: p.name,
        uri: p.uri,
        line: this.lines.get(node) ?? this.lines.get(p.astNodeIds[0]) ?? 0,
        tags: p.tags,
        rules: p.tags.filter((t) => t.startsWith('@rule:')).map((t) => t.slice(6)),
        status: w.status.toLowerCase() as ScenarioResult['status'],
        message: w.message?.split('\n')[0],
        ...(this.switches.has(startedId) ? { switches: this.switches.get(startedId) } : {}),
        ...(failed ? { verdict: classify(w.status, w.message), sentence: sentence(w.status, w.message) } : {}),
        ...(this.ms.has(startedId) ? { ms: this.ms.get(startedId) } : {}),
      });
    }
    return out;
  }
}

export function parseMessages(ndjson: string): ScenarioResult[] {
  const r = new MessageResults();
  for (const line of ndjson.split('\n')) r.add(line);
  return r.results();
}

/**
 * Follows a message stream as cucumber writes it, so little is left to read once the process exits (the parent is idle
 * while its child runs; reading 12 MB after the run was most of the time between the child's exit and the report).
 */
export class MessageTail {
  private offset = 0;
  private partial = '';
  private readonly decoder = new StringDecoder('utf8');
  private readonly read = new MessageResults();

  constructor(private readonly file: string) {}

  /** read what was appended since the last call (nothing while the file does not exist yet) */
  poll(): void {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return;
    }
    try {
      const size = fstatSync(fd).size;
      if (size <= this.offset) return;
      const buf = Buffer.allocUnsafe(size - this.offset);
      const n = readSync(fd, buf, 0, buf.length, this.offset);
      this.offset += n;
      const lines = (this.partial + this.decoder.write(buf.subarray(0, n))).split('\n');
      this.partial = lines.pop()!;
      for (const line of lines) this.read.add(line);
    } finally {
      closeSync(fd);
    }
  }

  /** the scenarios once the writer has finished: the rest of the file read, an unterminated last line included */
  results(): ScenarioResult[] {
    this.poll();
    this.read.add(this.partial + this.decoder.end());
    this.partial = '';
    return this.read.results();
  }
}
