// Profiles: `default` for people (progress + Allure results), `ci` adds JUnit, the message stream
// and a random scenario order whose seed is printed, so hidden dependencies show up.

const seed = process.env.DAX_ORDER_SEED || String(Math.floor(Math.random() * 1e9));

const common = {
  paths: ['features/**/*.feature'],
  require: ['steps/**/*.ts'],
  requireModule: ['ts-node/register/transpile-only'],
  formatOptions: { snippetInterface: 'async-await' },
};

module.exports = {
  default: {
    ...common,
    format: ['progress', ['allure-cucumberjs/reporter', 'reports/allure-results/.written']],
  },
  ci: {
    ...common,
    order: `random:${seed}`,
    format: [
      'progress',
      ['allure-cucumberjs/reporter', 'reports/allure-results/.written'],
      ['junit', 'reports/junit.xml'],
      ['message', 'reports/messages.ndjson'],
    ],
  },
  seed,
};
