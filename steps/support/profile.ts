// Persistence profiles of the rules (@profile: tags) against the platform a target runs on (hooks.ts skips by them); pure, so unit tests load it.

import { PMEM_MODES, PmemMode } from '../../targets/contract';

/**
 * why a scenario with these tags does not hold on `profile`, or undefined when it does. A scenario with
 * no @profile: tag holds on every platform; one with some names each platform it holds on (a claim that
 * a store may be lost is false on eADR, a claim that a fence makes it durable is false on virtio-pmem).
 */
export function notForProfile(tags: readonly string[], profile: PmemMode): string | undefined {
  const named = tags.filter((t) => t.startsWith('@profile:')).map((t) => t.slice('@profile:'.length));
  const bad = named.find((p) => !(PMEM_MODES as readonly string[]).includes(p));
  if (bad) return `tag @profile:${bad} names no persistence profile; accepted: ${PMEM_MODES.join(', ')}`;
  if (named.length === 0 || named.includes(profile)) return undefined;
  return `the rule holds here only under ${named.join(', ')}; this target runs on ${profile}`;
}
