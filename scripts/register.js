// Runs the TypeScript sources as cached JavaScript (`node -r ./scripts/register.js x.ts`, and
// cucumber.js's requireModule). Each .ts file is transpiled once, as ts-node --transpile-only did
// (TypeScript's transpileModule, tsconfig.json's options), into .cache/js/<hash of path and text>.js
// and reused until its text changes, so the hot path never loads TypeScript. No type-checking here:
// `npm run typecheck` is that gate. `warm()` fills the cache ahead of parallel workers.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const ROOT = path.join(__dirname, '..');
const CACHE = path.join(ROOT, '.cache', 'js');
/** the directories whose .ts files the suite runs */
const SOURCES = ['emulator', 'targets', 'steps', 'scripts', 'bench', 'test', 'linux', 'mutants'];

/** how this file emits (below); a change of it invalidates every entry */
const EMIT = 'inline source map without sources';

let salt;
function cacheSalt() {
  if (salt === undefined) {
    // a new TypeScript or new compiler options invalidate every entry
    const tsVersion = JSON.parse(fs.readFileSync(require.resolve('typescript/package.json'), 'utf8')).version;
    salt = `${tsVersion}\0${EMIT}\0${fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')}\0`;
  }
  return salt;
}

let ts;
let compilerOptions;
function transpile(source, filename) {
  if (!ts) {
    ts = require('typescript');
    const raw = ts.parseConfigFileTextToJson('tsconfig.json', fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')).config;
    // stack traces name .ts lines through the inline map; the sources stay in their files (inlining them
    // doubled what node scans for every module it loads with source maps on)
    compilerOptions = { ...ts.convertCompilerOptionsFromJson(raw.compilerOptions, ROOT).options, noEmit: false, inlineSourceMap: true, inlineSources: false, sourceMap: false, declaration: false, incremental: false };
  }
  const out = ts.transpileModule(source, { fileName: filename, compilerOptions, reportDiagnostics: false });
  return out.outputText;
}

function cachedJs(filename, source) {
  const key = crypto.createHash('sha1').update(cacheSalt()).update(filename).update('\0').update(source).digest('hex');
  const file = path.join(CACHE, `${key}.js`);
  try {
    return { js: fs.readFileSync(file, 'utf8'), hit: true };
  } catch {
    const js = transpile(source, filename);
    fs.mkdirSync(CACHE, { recursive: true });
    // several workers may fill the same entry: write aside, then rename into place
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, js);
    fs.renameSync(tmp, file);
    return { js, hit: false };
  }
}

if (!require.extensions['.ts']) {
  process.setSourceMapsEnabled(true);
  require.extensions['.ts'] = function compileTs(module, filename) {
    module._compile(cachedJs(filename, fs.readFileSync(filename, 'utf8')).js, filename);
  };
}

function tsFiles(dir, out) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'fixtures') tsFiles(p, out);
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** transpile every source file not yet cached; returns how many were transpiled and how many were current */
function warm() {
  let built = 0;
  let current = 0;
  for (const d of SOURCES) {
    for (const f of tsFiles(path.join(ROOT, d), [])) {
      if (cachedJs(f, fs.readFileSync(f, 'utf8')).hit) current++;
      else built++;
    }
  }
  return { built, current };
}

module.exports = { warm };

if (require.main === module) {
  const t0 = Date.now();
  const { built, current } = warm();
  console.log(`build: ${built} file(s) transpiled, ${current} current, into .cache/js (${Date.now() - t0} ms)`);
}
