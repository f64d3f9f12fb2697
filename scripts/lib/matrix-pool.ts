// A pool of long-lived matrix workers (scripts/lib/matrix-worker.ts): each loads the step definitions
// once and runs variant after variant, instead of one cucumber process per variant.

import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { collectRun, MATCH_INDICES, RunResult, v8Flags } from './cucumber-run';
import type { WorkerDone, WorkerJob } from './matrix-worker';

const REGISTER = join(__dirname, '..', 'register.js');

export interface PoolRun {
  target: string;
  paths: string[];
  failFast?: boolean;
  messagesFile: string;
  reportDir?: string;
}

export class WorkerPool {
  private readonly idle: ChildProcess[] = [];
  private readonly waiting: Array<(w: ChildProcess) => void> = [];
  private readonly all: ChildProcess[] = [];
  private next = 0;

  constructor(
    private readonly size: number,
    private readonly cucumberArgs: string[],
  ) {
    for (let i = 0; i < size; i++) this.start();
  }

  private start(): void {
    const env: NodeJS.ProcessEnv = { ...process.env, DAX_QUIET: '1', DAX_HARNESS: '1', DAX_MATRIX_WORKER_ARGS: JSON.stringify(this.cucumberArgs) };
    delete env.DAX_TARGET;
    delete env.DAX_RECORD_SWITCHES;
    const w = fork(join(__dirname, 'matrix-worker.ts'), [], { execArgv: [...v8Flags(this.size), '-r', MATCH_INDICES, '-r', REGISTER], env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    w.once('message', () => this.release(w));
    this.all.push(w);
  }

  private release(w: ChildProcess): void {
    const take = this.waiting.shift();
    if (take) take(w);
    else this.idle.push(w);
  }

  private acquire(): Promise<ChildProcess> {
    const w = this.idle.shift();
    return w ? Promise.resolve(w) : new Promise((resolve) => this.waiting.push(resolve));
  }

  async run(r: PoolRun): Promise<RunResult> {
    const w = await this.acquire();
    const job: WorkerJob = { id: this.next++, ...r };
    const done = await new Promise<WorkerDone>((resolve) => {
      const onExit = (code: number | null) => resolve({ id: job.id, exitCode: 2, seconds: 0, stderr: `matrix worker exited with ${code} while running ${r.target}` });
      w.once('exit', onExit);
      w.once('message', (m: WorkerDone) => {
        w.off('exit', onExit);
        resolve(m);
      });
      w.send(job);
    });
    if (done.retire) this.start();
    else if (w.exitCode === null) this.release(w);
    return collectRun({ target: r.target, args: r.paths, messagesFile: r.messagesFile }, done.exitCode, done.seconds, done.stderr);
  }

  close(): void {
    for (const w of this.all) if (w.connected) w.disconnect();
  }
}
