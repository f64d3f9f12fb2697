// Child process of `npm run bench`: resident memory after touching 10,000 pages of a 1 TiB namespace.

import { Machine } from '../emulator/machine';

const before = process.memoryUsage().rss;
const m = new Machine();
const ns = m.createNamespace('pmem0', 1024 ** 4);
const stride = Math.floor(ns.size / 4096 / 10_000) * 4096;
const one = new Uint8Array([1]);
for (let i = 0; i < 10_000; i++) m.mem.store(ns.base + i * stride, one, false);
if (global.gc) global.gc();
const rss = process.memoryUsage().rss;
process.stdout.write(JSON.stringify({ rss_mb: rss / 2 ** 20, baseline_mb: before / 2 ** 20, touched: m.mem.touchedPages }) + '\n');
