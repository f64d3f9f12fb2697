// Persistence profiles of the rules (@profile: tags) against the platform a target runs on (hooks.ts skips by them); pure, so unit tests load it.

import { PMEM_MODES, PmemMode } from '../../targets/contract';

/** eADR keeps every promise of ADR (its caches are inside the persistence domain too) */
const COVERS: Record<PmemMode, readonly PmemMode[]> = { adr: ['adr', 'eadr'], eadr: ['eadr'], 'virtio-pmem': ['virtio-pmem'] };

/** why a scenario with these tags does not hold on `profile`, or undefined when it does (no tag: every profile) */
export function notForProfile(tags: readonly string[], profile: PmemMode): string | undefined {
  const named = tags.filter((t) => t.startsWith('@profile:')).map((t) => t.slice('@profile:'.length));
  const bad = named.find((p) => !(PMEM_MODES as readonly string[]).includes(p));
  if (bad) return `tag @profile:${bad} names no persistence profile; accepted: ${PMEM_MODES.join(', ')}`;
  if (named.length === 0 || named.some((p) => COVERS[p as PmemMode].includes(profile))) return undefined;
  return `the rule holds only under ${named.join(', ')}; this target runs on ${profile}`;
}
