// The persistence domain and the pmem driver (PM rules): CPU stores, flushes and fences, and the
// driver's three write paths with REQ_FLUSH / REQ_FUA.

import { Given, When } from '@cucumber/cucumber';
import { BioFlag, DriverPath } from '../targets/contract';
import { toHex } from '../targets/hex';
import { DaxWorld } from './support/world';
import { parseData, parseSize } from './support/params';

const GiB = 1024 ** 3;

Given('a pmem namespace {dev}', async function (this: DaxWorld, dev: string) {
  await this.target.createNamespace({ name: dev, size: GiB });
});

Given('a {size} pmem namespace {dev}', async function (this: DaxWorld, size: number, dev: string) {
  await this.target.createNamespace({ name: dev, size });
});

Given('the platform keeps its CPU caches in the persistence domain \\(eADR)', async function (this: DaxWorld) {
  await this.target.configure!({ pmemMode: 'eadr' });
});

Given('the platform flushes its CPU caches only on request \\(ADR)', async function (this: DaxWorld) {
  await this.target.configure!({ pmemMode: 'adr' });
});

Given('stores may tear into 8-byte units', async function (this: DaxWorld) {
  await this.target.configure!({ tearing: true });
});

When(/^the CPU stores (".*?"(?: x \d+)?) to (\S+) at offset (\S+(?: [KMGT]iB)?)( with a non-temporal store)?$/, async function (this: DaxWorld, data: string, dev: string, offset: string, nt?: string) {
  await this.target.cpuStore!({ dev, offset: parseSize(offset), data: toHex(parseData(data)), nt: Boolean(nt) });
});

When(/^the CPU writes back (\d+) bytes? at offset (\S+) of (\S+) with (clwb|clflushopt|clflush)$/, async function (this: DaxWorld, len: string, offset: string, dev: string, insn: 'clwb' | 'clflushopt' | 'clflush') {
  await this.target.cpuFlush!({ dev, offset: parseSize(offset), length: Number(len), insn });
});

When('the CPU fences with sfence', async function (this: DaxWorld) {
  await this.target.cpuFence!();
});

When(
  /^the pmem driver writes (".*?"(?: x \d+)?) to (\S+) at offset (\S+) through (rw_bytes|rw_page|make_request)(?: with (REQ_FUA|REQ_FLUSH|REQ_FLUSH and REQ_FUA))?$/,
  async function (this: DaxWorld, data: string, dev: string, offset: string, path: DriverPath, flags?: string) {
      const f = (flags ?? '').split(' and ').filter(Boolean) as BioFlag[];
    await this.target.bio!({ dev, path, offset: parseSize(offset), data: toHex(parseData(data)), flags: f });
  },
);

When('an empty REQ_FLUSH bio completes on {dev}', async function (this: DaxWorld, dev: string) {
  await this.target.flushDevice!({ dev });
});
