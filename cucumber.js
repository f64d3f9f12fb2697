// Profiles: `default` for people (progress + Allure results), `ci` adds JUnit, the message stream
// and a random scenario order whose seed is printed, so hidden dependencies show up.

const seed = process.env.DAX_ORDER_SEED || String(Math.floor(Math.random() * 1e9));
// every export is a profile (`--profile seed` would run nothing): the seed reaches the run as a world parameter

// Allure reporter options: tags become labels (a label's tag leaves the plain tag list; @requires:
// and @white-box stay tags). Links (each @seed: to its thread, @beyond rules to the kernel source)
// are added at run time by steps/support/reporting.ts, which knows the seeds.
const allure = {
  resultsDir: `${process.env.DAX_REPORT_DIR || 'reports'}/allure-results`,
  labels: [
    { name: 'epic', pattern: [/^@epic:/] },
    { name: 'story', pattern: [/^@story:/] },
    { name: 'severity', pattern: [/^@severity:/] },
    { name: 'rule', pattern: [/^@rule:/] },
    { name: 'seed', pattern: [/^@seed:/] },
  ],
};

// allure-cucumberjs' reporter on a thread of its own, writing its results without an fsync per file
// (scripts/lib/allure-formatter.js); DAX_ALLURE_FSYNC=1 is the reporter as shipped (npm run bench times both)
const ALLURE_FORMATTER = process.env.DAX_ALLURE_FSYNC === '1' ? 'allure-cucumberjs/reporter' : './scripts/lib/allure-formatter.js';

const common = {
  require: ['steps/**/*.ts'],
  requireModule: [require.resolve('./scripts/register.js')],
  formatOptions: { snippetInterface: 'async-await', ...allure },
};

module.exports = {
  default: {
    ...common,
    format: ['progress', [ALLURE_FORMATTER, `${allure.resultsDir}/.written`]],
  },
  ci: {
    ...common,
    order: `random:${seed}`,
    // steps/support/order-seed.ts prints it at the start and the end of the run, with the replay command
    worldParameters: { orderSeed: seed },
    format: [
      'progress',
      [ALLURE_FORMATTER, `${allure.resultsDir}/.written`],
      // a run split into local shards (scripts/lib/local-shards.ts) writes one per shard, joined after
      ['junit', `reports/junit${process.env.DAX_LOCAL_SHARD ? `.shard-${process.env.DAX_LOCAL_SHARD}` : ''}.xml`],
      // the harness (scripts/lib/cucumber-run.ts) names its own message stream
      ...(process.env.DAX_HARNESS ? [] : [['message', 'reports/messages.ndjson']]),
    ],
  },
  // npm test's runs under the other persistence profiles: random order, no report of their own (the caller adds the message stream)
  gate: {
    ...common,
    order: `random:${seed}`,
    worldParameters: { orderSeed: seed },
  },
  // Stryker's cucumber runner (npm run mutation) adds its own formatter; nothing else may write.
  mutation: {
    require: common.require,
    requireModule: common.requireModule,
  },
};
