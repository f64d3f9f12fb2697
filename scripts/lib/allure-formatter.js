// The Allure formatter for cucumber.js, with its own results writer. allure-js-commons' FileSystemWriter fsyncs every
// result, container and attachment through a temporary file, which was 8 of 28 s of a serial reference run on a busy
// disk; the results are read after the run, so plain writes do. It also writes fewer files, each file costing about
// as much as a scenario's model work on this disk: a container whose fixtures all passed and hold nothing
// (the unnamed set-up and tear-down hooks) tells a reader nothing the test's own status does not, and an attachment
// whose bytes an earlier one already holds (an outline's Examples table, once per row) is referenced, not copied.
// The files are written by a worker thread: creating one costs the main thread about a millisecond on this disk, and
// the scenarios need not wait for it; the formatter's finish waits for the last file. Each new file takes over (a
// rename) one of the previous run's, which the harness set aside to delete after the run (scripts/lib/allure.ts
// setAside): on ext4 a new inode is searched for past every inode deleted in the last minute, so back-to-back runs that
// delete and create a thousand files each spent most of a CPU-second of kernel time there; a rename allocates nothing.

const { createHash } = require('node:crypto');
const { copyFileSync, mkdirSync, readdirSync, writeFileSync } = require('node:fs');
const { basename, dirname, extname, join } = require('node:path');
const { Worker } = require('node:worker_threads');
const { FileSystemWriter } = require('allure-js-commons/sdk/reporter');

// the worker: each message is a file to write ({ path, data }), under the name of a file it may recycle (workerData);
// 'drain' answers once all before it are done
const WRITER_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { renameSync, writeFileSync } = require('node:fs');
const recyclable = workerData.recyclable;
parentPort.on('message', (m) => {
  if (m === 'drain') return parentPort.postMessage({ drained: true });
  try {
    const old = recyclable.pop();
    if (old !== undefined) {
      try {
        renameSync(old, m.path);
      } catch {
        // gone already: the write below creates the file
      }
    }
    writeFileSync(m.path, m.data);
  } catch (e) {
    parentPort.postMessage({ error: e.message });
  }
});
`;

/** the previous runs' result files that scripts/lib/allure.ts setAside moved beside `dir` (its `.old-` names) and deletes after this run */
function setAsideFiles(dir) {
  const parent = dirname(dir);
  const prefix = `${basename(dir)}.old-`;
  try {
    return readdirSync(parent)
      .filter((d) => d.startsWith(prefix))
      .flatMap((d) => readdirSync(join(parent, d), { withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(parent, d, e.name)));
  } catch {
    return [];
  }
}

/** a fixture a reader learns nothing from: passed, and no steps, attachments or parameters of its own */
function emptyPassed(fixture) {
  return fixture.status === 'passed' && !fixture.steps?.length && !fixture.attachments?.length && !fixture.parameters?.length;
}

class UnsyncedWriter extends FileSystemWriter {
  constructor(config) {
    super(config);
    mkdirSync(config.resultsDir, { recursive: true });
    /** attachment content (extension + sha1) -> the file that holds it */
    this.byContent = new Map();
    /** an attachment name the reporter chose -> the earlier file with the same bytes */
    this.alias = new Map();
    /** the first file the worker could not write */
    this.failure = undefined;
    this.worker = new Worker(WRITER_THREAD, { eval: true, workerData: { recyclable: setAsideFiles(config.resultsDir) } });
    this.worker.unref();
    this.worker.on('message', (m) => {
      if (m.error) this.failure ??= m.error;
    });
    this.worker.on('error', (e) => {
      this.failure ??= e.message;
    });
  }
  path(name) {
    return join(this.config.resultsDir, name);
  }
  write(name, data) {
    this.worker.postMessage({ path: this.path(name), data });
  }
  /** every file handed to the worker is written; an error names the first one that could not be */
  async close() {
    const drained = new Promise((resolve) => {
      this.worker.on('message', (m) => m.drained && resolve());
      this.worker.on('exit', resolve);
    });
    this.worker.postMessage('drain');
    await drained;
    await this.worker.terminate();
    if (this.failure) throw new Error(`the Allure results could not be written to ${this.config.resultsDir}: ${this.failure}`);
  }
  writeAttachment(name, content) {
    const key = `${extname(name)}:${createHash('sha1').update(content).digest('hex')}`;
    const same = this.byContent.get(key);
    if (same) {
      this.alias.set(name, same);
      return;
    }
    this.byContent.set(key, name);
    this.write(name, content);
  }
  writeAttachmentFromPath(name, from) {
    // copied now: the file named may be gone by the time the worker got to it
    copyFileSync(from, this.path(name));
  }
  writeCategoriesDefinitions(categories) {
    this.write('categories.json', JSON.stringify(categories));
  }
  writeGroup(result) {
    if (!result.name && [...result.befores, ...result.afters].every(emptyPassed)) return;
    this.resolveAliases(result.befores);
    this.resolveAliases(result.afters);
    this.write(`${result.uuid}-container.json`, JSON.stringify(result));
  }
  writeResult(result) {
    this.resolveAliases([result]);
    this.write(`${result.uuid}-result.json`, JSON.stringify(result));
  }
  writeGlobals(name, info) {
    // written at once: a failed BeforeAll or AfterAll (a global error) may end the run before the formatter finishes
    writeFileSync(this.path(name), JSON.stringify(info));
  }
  /** point every attachment of these results and their steps at the file that holds its bytes */
  resolveAliases(items) {
    if (this.alias.size === 0) return;
    for (const item of items) {
      for (const a of item.attachments ?? []) a.source = this.alias.get(a.source) ?? a.source;
      this.resolveAliases(item.steps ?? []);
    }
  }
}

/** allure-cucumberjs' reporter with the writer above (a writer module path does not load from its ESM build) */
class AllureReporter extends require('allure-cucumberjs/reporter') {
  constructor(options) {
    const parsed = options.parsedArgvOptions ?? {};
    const writer = new UnsyncedWriter({ resultsDir: parsed.resultsDir || './allure-results' });
    super({ ...options, parsedArgvOptions: { ...parsed, writer } });
    this.resultsWriter = writer;
  }
  async finished() {
    await this.resultsWriter.close();
    await super.finished();
  }
}

module.exports = AllureReporter;
module.exports.UnsyncedWriter = UnsyncedWriter;
