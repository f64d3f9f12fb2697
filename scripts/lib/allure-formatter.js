// The Allure formatter for cucumber.js, with its own results writer: allure-js-commons' FileSystemWriter fsyncs every result,
// container and attachment through a temporary file (three files per scenario), which was 8 of 28 s
// of a serial reference run on a busy disk. The results are read after the run, so plain writes do.

const { mkdirSync, writeFile, copyFile } = require('node:fs');
const { join } = require('node:path');
const { FileSystemWriter } = require('allure-js-commons/sdk/reporter');

/**
 * Writes each result, container and attachment without an fsync and without waiting: the files are
 * written by libuv's threads while cucumber goes on, and finished() below waits for the last of them
 * (cucumber awaits each formatter's finished() before it exits).
 */
class UnsyncedWriter extends FileSystemWriter {
  constructor(config) {
    super(config);
    mkdirSync(config.resultsDir, { recursive: true });
    this.pending = 0;
    this.error = undefined;
    this.idle = [];
  }
  path(name) {
    return join(this.config.resultsDir, name);
  }
  done(e) {
    if (e && !this.error) this.error = e;
    if (--this.pending === 0) for (const resolve of this.idle.splice(0)) resolve();
  }
  write(name, content) {
    this.pending++;
    writeFile(this.path(name), content, (e) => this.done(e));
  }
  /** every write has landed; the first failure, if any, is thrown */
  async flushed() {
    if (this.pending > 0) await new Promise((resolve) => this.idle.push(resolve));
    if (this.error) throw this.error;
  }
  writeAttachment(name, content) {
    this.write(name, content);
  }
  writeAttachmentFromPath(name, from) {
    this.pending++;
    copyFile(from, this.path(name), (e) => this.done(e));
  }
  writeCategoriesDefinitions(categories) {
    this.write('categories.json', JSON.stringify(categories));
  }
  writeGroup(result) {
    this.write(`${result.uuid}-container.json`, JSON.stringify(result));
  }
  writeResult(result) {
    this.write(`${result.uuid}-result.json`, JSON.stringify(result));
  }
  writeGlobals(name, info) {
    this.write(name, JSON.stringify(info));
  }
}

/** allure-cucumberjs' reporter with the writer above (a writer module path does not load from its ESM build) */
class AllureReporter extends require('allure-cucumberjs/reporter') {
  constructor(options) {
    const parsed = options.parsedArgvOptions ?? {};
    const writer = new UnsyncedWriter({ resultsDir: parsed.resultsDir || './allure-results' });
    super({ ...options, parsedArgvOptions: { ...parsed, writer } });
    this.unsynced = writer;
  }
  async finished() {
    await this.unsynced.flushed();
    await super.finished();
  }
}

module.exports = AllureReporter;
