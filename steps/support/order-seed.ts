// A random scenario order (profile ci) is only useful if it can be replayed: its seed is printed
// when the run starts and again when it ends, with the command that replays it. Under the harness
// (npm run conformance, npm test) the harness prints it instead.

import { AfterAll, BeforeAll } from '@cucumber/cucumber';

/** an argument as a shell reads it back: quoted when it holds anything but plain characters */
function shellWord(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

function announce(parameters: unknown, when: string): void {
  const seed = (parameters as { orderSeed?: unknown } | undefined)?.orderSeed;
  if (seed === undefined || process.env.DAX_HARNESS) return;
  const target = process.env.DAX_TARGET ? `DAX_TARGET='${process.env.DAX_TARGET}' ` : '';
  console.error(`dax-conformance: ${when} in random order, seed ${String(seed)}; replay: ${target}DAX_ORDER_SEED=${String(seed)} npx cucumber-js ${process.argv.slice(2).map(shellWord).join(' ')}`.trimEnd());
}

BeforeAll(function (this: { parameters?: unknown }) {
  announce(this.parameters, 'scenarios run');
});

AfterAll(function (this: { parameters?: unknown }) {
  announce(this.parameters, 'scenarios ran');
});
