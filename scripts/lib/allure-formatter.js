// The Allure formatter for cucumber.js, with its own results writer: allure-js-commons' FileSystemWriter fsyncs every result,
// container and attachment through a temporary file (three files per scenario), which was 8 of 28 s
// of a serial reference run on a busy disk. The results are read after the run, so plain writes do.

const { mkdirSync, writeFileSync, copyFileSync } = require('node:fs');
const { join } = require('node:path');
const { FileSystemWriter } = require('allure-js-commons/sdk/reporter');

class UnsyncedWriter extends FileSystemWriter {
  constructor(config) {
    super(config);
    mkdirSync(config.resultsDir, { recursive: true });
  }
  path(name) {
    return join(this.config.resultsDir, name);
  }
  writeAttachment(name, content) {
    writeFileSync(this.path(name), content);
  }
  writeAttachmentFromPath(name, from) {
    copyFileSync(from, this.path(name));
  }
  writeCategoriesDefinitions(categories) {
    writeFileSync(this.path('categories.json'), JSON.stringify(categories));
  }
  writeGroup(result) {
    writeFileSync(this.path(`${result.uuid}-container.json`), JSON.stringify(result));
  }
  writeResult(result) {
    writeFileSync(this.path(`${result.uuid}-result.json`), JSON.stringify(result));
  }
  writeGlobals(name, info) {
    writeFileSync(this.path(name), JSON.stringify(info));
  }
}

/** allure-cucumberjs' reporter with the writer above (a writer module path does not load from its ESM build) */
class AllureReporter extends require('allure-cucumberjs/reporter') {
  constructor(options) {
    const parsed = options.parsedArgvOptions ?? {};
    super({ ...options, parsedArgvOptions: { ...parsed, writer: new UnsyncedWriter({ resultsDir: parsed.resultsDir || './allure-results' }) } });
  }
}

module.exports = AllureReporter;
