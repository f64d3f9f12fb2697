// The Allure results writer the reporter's thread uses (scripts/lib/allure-thread.js). allure-js-commons'
// FileSystemWriter fsyncs every result, container and attachment through a temporary file, which was 8 of 28 s of a
// serial reference run on a busy disk; the results are read after the run, so plain writes do. It also writes fewer
// files, each file costing about as much as a scenario's model work on this disk: a container whose fixtures all
// passed and hold nothing (the unnamed set-up and tear-down hooks) tells a reader nothing the test's own status does
// not, and an attachment whose bytes an earlier one already holds (an outline's Examples table, once per row) is
// referenced, not copied. Each new file takes over (a rename) one of the previous run's, which the harness set aside
// to delete after the run (scripts/lib/allure.ts setAside): on ext4 a new inode is searched for past every inode
// deleted in the last minute, so back-to-back runs that delete and create a thousand files each spent most of a
// CPU-second of kernel time there; a rename allocates nothing.

const { createHash } = require('node:crypto');
const { copyFileSync, mkdirSync, readdirSync, renameSync, writeFileSync } = require('node:fs');
const { basename, dirname, extname, join } = require('node:path');
const { FileSystemWriter } = require('allure-js-commons/sdk/reporter');

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
    /** the first file that could not be written */
    this.failure = undefined;
    this.recyclable = setAsideFiles(config.resultsDir);
  }
  path(name) {
    return join(this.config.resultsDir, name);
  }
  write(name, data) {
    const path = this.path(name);
    try {
      const old = this.recyclable.pop();
      if (old !== undefined) {
        try {
          renameSync(old, path);
        } catch {
          // gone already: the write below creates the file
        }
      }
      writeFileSync(path, data);
    } catch (e) {
      this.failure ??= e.message;
    }
  }
  /** an error names the first file that could not be written */
  async close() {
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
    this.write(name, JSON.stringify(info));
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

module.exports = { UnsyncedWriter };
