// The Allure formatter for cucumber.js, with its own results writer. allure-js-commons' FileSystemWriter fsyncs every
// result, container and attachment through a temporary file, which was 8 of 28 s of a serial reference run on a busy
// disk; the results are read after the run, so plain writes do. It also writes fewer files, each file costing about
// as much as a scenario's model work on this disk: a container whose fixtures all passed and hold nothing
// (the unnamed set-up and tear-down hooks) tells a reader nothing the test's own status does not, and an attachment
// whose bytes an earlier one already holds (an outline's Examples table, once per row) is referenced, not copied.

const { createHash } = require('node:crypto');
const { mkdirSync, writeFileSync, copyFileSync } = require('node:fs');
const { extname, join } = require('node:path');
const { FileSystemWriter } = require('allure-js-commons/sdk/reporter');

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
  }
  path(name) {
    return join(this.config.resultsDir, name);
  }
  writeAttachment(name, content) {
    const key = `${extname(name)}:${createHash('sha1').update(content).digest('hex')}`;
    const same = this.byContent.get(key);
    if (same) {
      this.alias.set(name, same);
      return;
    }
    this.byContent.set(key, name);
    writeFileSync(this.path(name), content);
  }
  writeAttachmentFromPath(name, from) {
    copyFileSync(from, this.path(name));
  }
  writeCategoriesDefinitions(categories) {
    writeFileSync(this.path('categories.json'), JSON.stringify(categories));
  }
  writeGroup(result) {
    if (!result.name && [...result.befores, ...result.afters].every(emptyPassed)) return;
    this.resolveAliases(result.befores);
    this.resolveAliases(result.afters);
    writeFileSync(this.path(`${result.uuid}-container.json`), JSON.stringify(result));
  }
  writeResult(result) {
    this.resolveAliases([result]);
    writeFileSync(this.path(`${result.uuid}-result.json`), JSON.stringify(result));
  }
  writeGlobals(name, info) {
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
    super({ ...options, parsedArgvOptions: { ...parsed, writer: new UnsyncedWriter({ resultsDir: parsed.resultsDir || './allure-results' }) } });
  }
}

module.exports = AllureReporter;
module.exports.UnsyncedWriter = UnsyncedWriter;
