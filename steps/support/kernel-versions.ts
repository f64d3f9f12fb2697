// Rules carry the kernels they hold for (@since:4.5 on their Rule, @until:4.6 where a later kernel
// dropped the promise). A target that names its kernel (hello.kernel) runs only the rules of that
// kernel and skips the others with the reason; a target that names none is held to every rule.

import { Before, Status } from '@cucumber/cucumber';
import { notForKernel } from './kernel-range';
import { DaxWorld } from './world';

Before(async function (this: DaxWorld) {
  const kernel = this.hello?.kernel;
  const why = kernel ? notForKernel(this.tags, kernel) : undefined;
  if (!why) return undefined;
  this.log(`Skipped: ${why}`);
  return Status.SKIPPED.toLowerCase() as 'skipped';
});
