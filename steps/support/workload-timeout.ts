// The time-out of a step that runs a batch of workloads, each on a fresh machine: on traced Linux six
// xfs workloads take 77 s alone and over 120 s (the default) at load 15. A hung target still fails
// sooner: every request keeps the target's own time-out.
export const WORKLOADS_STEP_TIMEOUT_MS = 30 * 60_000;
