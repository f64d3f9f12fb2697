// The Allure formatter for cucumber.js: allure-cucumberjs' reporter, run on a thread of its own
// (scripts/lib/allure-thread.js) with its own results writer (scripts/lib/allure-writer.js). On the scenarios' thread
// the reporter took ~10% of a reference run (per scenario a result object built, every environment variable read for
// labels, the working directory stat'ed, then JSON); here that thread only posts the envelopes, in batches. Paired
// rounds of the reference run through the harness: 0.30 and 0.35 s less wall (faster in 8 of 10 and 7 of 8), CPU
// unchanged. That needs a core's share to spare: before the harness lowered TurboFan's inlining budget
// (scripts/lib/cucumber-run.ts v8Flags) both cores were full and the thread gained nothing.
// The test-run hooks stay wrapped as the reporter wraps them (its own methods, borrowed below), since they run here;
// a failure of one is written before the hook returns, because the run may end there. Unlike the reporter, this
// does not swap in allure-cucumberjs' deprecated World when none is set: steps/support/world.ts sets one.

const { join } = require('node:path');
const { Worker } = require('node:worker_threads');
const { Formatter } = require('@cucumber/cucumber');
const AllureCucumberReporter = require('allure-cucumberjs/reporter');
const { getMessageAndTraceFromError } = require('allure-js-commons/sdk');

/** envelopes posted at once, about 40 scenarios' worth: a post a scenario spent more of the scenarios' thread waking the other */
const BATCH = 1024;

/** how long a failed test-run hook waits for its global error to be written */
const GLOBAL_ERROR_WAIT_MS = 10_000;

class AllureReporter extends Formatter {
  constructor(options) {
    super(options);
    const { writer, ...parsed } = options.parsedArgvOptions ?? {};
    if (writer) throw new Error('INPUT: the Allure formatter (scripts/lib/allure-formatter.js) writes with its own writer; remove the "writer" format option');
    try {
      structuredClone(parsed);
    } catch (e) {
      throw new Error(`INPUT: the Allure format options must be plain data to reach the reporter's thread (${e.message})`);
    }
    const library = options.supportCodeLibrary;
    const names = (hooks) => hooks.map((h) => ({ id: h.id, name: h.name }));
    this.acknowledged = new Int32Array(new SharedArrayBuffer(4));
    this.thread = new Worker(join(__dirname, 'allure-thread.js'), {
      workerData: { options: parsed, hooks: { before: names(library.beforeTestCaseHookDefinitions), after: names(library.afterTestCaseHookDefinitions) }, acknowledged: this.acknowledged },
    });
    this.thread.unref();
    this.failure = undefined;
    this.finishedThread = new Promise((resolve) => {
      this.thread.on('message', (m) => {
        if (!m.finished) return;
        this.failure ??= m.failure;
        resolve();
      });
      this.thread.on('error', (e) => {
        this.failure ??= `the Allure reporter's thread failed: ${e.message}`;
        resolve();
      });
      this.thread.on('exit', () => resolve());
    });
    this.batch = [];
    options.eventBroadcaster.on('envelope', (e) => {
      this.batch.push(e);
      if (e.testRunFinished || this.batch.length >= BATCH) this.post();
    });
    this.installTestRunHookGlobalErrorSupport(library.beforeTestRunHookDefinitions, 'before');
    this.installTestRunHookGlobalErrorSupport(library.afterTestRunHookDefinitions, 'after');
  }
  post() {
    if (this.batch.length === 0) return;
    this.thread.postMessage(this.batch);
    this.batch = [];
  }
  emitTestRunHookGlobalError(name, error) {
    const { message, trace, ...compared } = getMessageAndTraceFromError(this.toError(error));
    this.post();
    Atomics.store(this.acknowledged, 0, 0);
    this.thread.postMessage({ globalError: { name, error: { message, stack: trace, ...compared } } });
    Atomics.wait(this.acknowledged, 0, 0, GLOBAL_ERROR_WAIT_MS);
  }
  async finished() {
    // held open only while the last results are written: a run that ends early does not wait for its thread
    this.thread.ref();
    this.post();
    this.thread.postMessage({ finish: true });
    await this.finishedThread;
    await this.thread.terminate();
    if (this.failure) throw new Error(this.failure);
    await super.finished();
  }
}

// the test-run hooks are wrapped by the reporter's own code, which calls emitTestRunHookGlobalError above
for (const m of ['installTestRunHookGlobalErrorSupport', 'runTestRunHook', 'runCallbackTestRunHook', 'toError']) AllureReporter.prototype[m] = AllureCucumberReporter.prototype[m];

module.exports = AllureReporter;
