// Preloaded into cucumber's processes (`node -r`, inherited by --parallel workers): cucumber-expressions
// gets each step match's group positions from regexp-match-indices, whose feature test checks a RegExp
// without the `d` flag, so on Node 20 it falls back to its polyfill, which re-parses every pattern with
// regexp-tree (about a second of each run's start-up). This answers with the engine's own `d`-flag
// indices (ES2022), which is what the polyfill emulates: the same groups at the same positions.
'use strict';

const path = require('node:path');
const Module = require('node:module');

const file = require.resolve('regexp-match-indices', { paths: [path.dirname(require.resolve('@cucumber/cucumber-expressions'))] });
if (!require.cache[file]) {
  const withIndices = new WeakMap();
  const exec = (regexp, string) => {
    let d = withIndices.get(regexp);
    if (!d) {
      d = regexp.hasIndices ? regexp : new RegExp(regexp.source, `${regexp.flags}d`);
      withIndices.set(regexp, d);
    }
    d.lastIndex = regexp.lastIndex;
    const match = d.exec(string);
    regexp.lastIndex = d.lastIndex;
    return match;
  };
  const m = new Module(file, module);
  m.filename = file;
  m.loaded = true;
  m.exports = exec;
  require.cache[file] = m;
}
