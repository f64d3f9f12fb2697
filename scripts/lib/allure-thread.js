// allure-cucumberjs' reporter on a thread of its own (started by scripts/lib/allure-formatter.js): it reads the
// envelopes the scenarios' thread posts, in order, and writes the results with scripts/lib/allure-writer.js.
// Messages: an array of envelopes; { globalError } (a failed BeforeAll or AfterAll, acknowledged through the shared
// flag once its file is written, since the run may end there); { finish } (answered { finished, failure }).

const { parentPort, workerData } = require('node:worker_threads');
const { EventEmitter } = require('node:events');
const AllureCucumberReporter = require('allure-cucumberjs/reporter');
const { UnsyncedWriter } = require('./allure-writer.js');

const { options, hooks, acknowledged } = workerData;
const writer = new UnsyncedWriter({ resultsDir: options.resultsDir || './allure-results' });
const envelopes = new EventEmitter();
const reporter = new AllureCucumberReporter({
  eventBroadcaster: envelopes,
  // hook names for the fixtures; the test-run hooks are wrapped on the scenarios' thread, which runs them
  supportCodeLibrary: { beforeTestCaseHookDefinitions: hooks.before, afterTestCaseHookDefinitions: hooks.after, beforeTestRunHookDefinitions: [], afterTestRunHookDefinitions: [] },
  parsedArgvOptions: { ...options, writer },
  cwd: process.cwd(),
  log: () => undefined,
  cleanup: async () => undefined,
});

parentPort.on('message', (m) => {
  if (Array.isArray(m)) {
    for (const e of m) envelopes.emit('envelope', e);
  } else if (m.globalError) {
    const { name, error } = m.globalError;
    reporter.emitTestRunHookGlobalError(name, Object.assign(new Error(error.message), error));
    Atomics.store(acknowledged, 0, 1);
    Atomics.notify(acknowledged, 0);
  } else if (m.finish) {
    writer.close().then(
      () => parentPort.postMessage({ finished: true }),
      (e) => parentPort.postMessage({ finished: true, failure: e.message }),
    );
  }
});
