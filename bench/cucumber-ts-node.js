// The old way, for `npm run bench` only: the same profiles with ts-node transpiling every run.
const config = require('../cucumber.js');

const old = {};
for (const [name, profile] of Object.entries(config)) old[name] = { ...profile, requireModule: ['ts-node/register/transpile-only'] };
module.exports = old;
