// Every call a step makes on the target, with its result or error: the operation trace a failed
// scenario attaches. Long hex arguments are cut when the trace is rendered, so the trace stays readable
// and a passing scenario (which never renders it) pays nothing for it.

import { Capability, ImplementationError, OP_CAPABILITY, Target, TargetError } from '../../targets/contract';
import { UndrivableError } from './verdict';

export interface TraceEntry {
  step: string;
  op: string;
  /** as the step passed them; shortTraceValue() cuts them for display */
  args: unknown;
  result?: unknown;
  error?: string;
  ms: number;
}

/** a trace value for display: long hex strings and long arrays cut */
export function shortTraceValue(v: unknown): unknown {
  if (typeof v === 'string') return v.length > 96 ? `${v.slice(0, 96)}… (${v.length / 2} bytes)` : v;
  if (Array.isArray(v)) return v.length > 16 ? [...v.slice(0, 16).map(shortTraceValue), `… ${v.length - 16} more`] : v.map(shortTraceValue);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shortTraceValue(x)]));
  return v;
}

export function tracing(
  target: Target,
  trace: TraceEntry[],
  currentStep: () => string,
  ruleMessage: (m: string) => string = (m) => m,
  onSuccess: (op: string, args: any) => void = () => undefined,
  declared: () => readonly Capability[] = () => [],
): Target {
  return new Proxy(target, {
    get(t, prop, receiver) {
      const v = Reflect.get(t, prop, receiver);
      if (typeof v !== 'function' || prop === 'hello') return v;
      return async (...args: unknown[]) => {
        const t0 = Date.now();
        const entry: TraceEntry = { step: currentStep(), op: String(prop), args: args[0] ?? {}, ms: 0 };
        trace.push(entry);
        try {
          const r = await v.apply(t, args);
          entry.result = r;
          onSuccess(String(prop), args[0]);
          return r;
        } catch (e) {
          entry.error = e instanceof TargetError ? `${e.errno}: ${e.message}` : e instanceof ImplementationError ? `implementation error: ${e.message}` : String(e);
          const op = String(prop);
          const cap = OP_CAPABILITY[op as keyof typeof OP_CAPABILITY];
          // Refusing an op outright is not breaking a rule: the implementation cannot be driven here.
          if (e instanceof TargetError && e.errno === 'ENOSYS') {
            throw new UndrivableError(`the implementation answered "${op}" with ENOSYS${cap ? ` (an op of the ${cap} capability)` : ', a core op every implementation must answer'}: ${e.message}`);
          }
          if (e instanceof TargetError && e.errno === 'EOPNOTSUPP' && cap && !declared().includes(cap)) {
            throw new UndrivableError(`the implementation refused "${op}" with EOPNOTSUPP and does not declare ${cap}, the capability it belongs to; a scenario using it needs @requires:${cap}`);
          }
          // An unexpected error still names the rule the scenario checks, and the call that failed.
          if (e instanceof TargetError) throw new TargetError(e.errno, ruleMessage(`${op} failed with ${e.errno}: ${e.message}`));
          if (e instanceof ImplementationError) throw new UndrivableError(`"${op}" could not be driven: ${e.message}`);
          throw e;
        } finally {
          entry.ms = Date.now() - t0;
        }
      };
    },
  });
}
