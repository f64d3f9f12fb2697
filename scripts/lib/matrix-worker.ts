// A long-lived matrix worker: loads cucumber's configuration and the step definitions once, then
// runs one variant after another in this process (a process per variant paid ~1 s of start-up each).
// Each run names its target in the world parameters (steps/support/hooks.ts), never in process.env.
// Messages from the parent: WorkerJob; answers: WorkerDone. Started by scripts/lib/matrix-pool.ts.

import { Writable } from 'node:stream';
import { mkdirSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setAside } from './allure';
import { loadConfiguration, loadSupport, runCucumber } from '@cucumber/cucumber/api';
import type { ISupportCodeLibrary } from '@cucumber/cucumber/api';

const ROOT = join(__dirname, '..', '..');
const ALLURE_FORMATTER = './scripts/lib/allure-formatter.js';

export interface WorkerJob {
  id: number;
  /** the DAX_TARGET spelling of the implementation, e.g. emulator:no-trailing-fence */
  target: string;
  /** feature paths with lines (scripts/lib/shard.ts locationArgs); empty: every scenario */
  paths: string[];
  messagesFile: string;
  /** stop at the first failing scenario (the matrix's --caught-only) */
  failFast?: boolean;
  /** allure-results go under it; absent: no Allure results (npm test's caught-only matrix reads only the message stream) */
  reportDir?: string;
}

export interface WorkerDone {
  id: number;
  exitCode: number;
  seconds: number;
  stderr: string;
  /** the worker leaves after this answer: its memory grew past RETIRE_RSS (DAX_MATRIX_WORKER_MB), and the pool starts a fresh one */
  retire?: boolean;
}

/** memory runs leave behind in cucumber's and the reporters' state: past this a worker makes way for a fresh one */
const RETIRE_RSS = (Number(process.env.DAX_MATRIX_WORKER_MB) || 768) << 20;

const sink = () => new Writable({ write: (_c, _e, done) => done() });

async function main(): Promise<void> {
  // cucumber's own arguments the matrix passed through (--tags, --name ...), parsed once
  const extra = JSON.parse(process.env.DAX_MATRIX_WORKER_ARGS ?? '[]') as string[];
  const environment = { cwd: ROOT, stdout: sink(), stderr: sink(), env: process.env };
  const { runConfiguration } = await loadConfiguration({ profiles: ['default'], provided: extra }, environment);
  const support: ISupportCodeLibrary = await loadSupport(runConfiguration, environment);
  // the Allure reporter wraps the BeforeAll/AfterAll hooks' code on every run: each run starts from the originals
  const lib = support as unknown as Record<'beforeTestRunHookDefinitions' | 'afterTestRunHookDefinitions', Array<{ code: unknown }>>;
  const testRunHooks = [...lib.beforeTestRunHookDefinitions, ...lib.afterTestRunHookDefinitions];
  const original = testRunHooks.map((h) => h.code);

  process.on('message', (job: WorkerJob) => {
    void (async () => {
      const t0 = Date.now();
      let stderr = '';
      let exitCode: number;
      let deleteOld: (() => void) | undefined;
      try {
        mkdirSync(dirname(job.messagesFile), { recursive: true });
        if (existsSync(job.messagesFile)) rmSync(job.messagesFile);
        const resultsDir = job.reportDir && join(job.reportDir, 'allure-results');
        // this run's results replace the last run's of the same variant (deleted once it is over)
        deleteOld = resultsDir ? setAside(resultsDir) : undefined;
        testRunHooks.forEach((h, i) => (h.code = original[i]));
        const { success } = await runCucumber(
          {
            ...runConfiguration,
            support,
            sources: { ...runConfiguration.sources, paths: job.paths.length ? job.paths : runConfiguration.sources.paths },
            formats: {
              stdout: 'summary',
              files: { [job.messagesFile]: 'message', ...(resultsDir ? { [join(resultsDir, '.written')]: ALLURE_FORMATTER } : {}) },
              publish: false,
              options: { ...runConfiguration.formats.options, colorsEnabled: false, ...(resultsDir ? { resultsDir } : {}) },
            },
            runtime: { ...runConfiguration.runtime, parallel: 0, failFast: job.failFast ?? false, worldParameters: { ...runConfiguration.runtime.worldParameters, target: job.target } },
          },
          { ...environment, stderr: new Writable({ write: (c, _e, done) => ((stderr += String(c)), done()) }) },
        );
        exitCode = success ? 0 : 1;
      } catch (e) {
        stderr += `${(e as Error).message}\n`;
        exitCode = 2;
      }
      deleteOld?.();
      const retire = process.memoryUsage().rss > RETIRE_RSS;
      const done: WorkerDone = { id: job.id, exitCode, seconds: (Date.now() - t0) / 1000, stderr, retire };
      process.send!(done, () => {
        if (retire) process.exit(0);
      });
    })();
  });
  // a pool closed before this worker was ready (the matrix stopped on bad input) wants nothing from it
  if (process.connected) process.send!({ ready: true });
}

main().catch((e) => {
  console.error(`matrix worker: ${(e as Error).message}`);
  process.exit(2);
});
