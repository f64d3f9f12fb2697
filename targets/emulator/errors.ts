// The emulator throws PmemError (an errno and a sentence); the contract speaks TargetError.

import { TargetError } from '../contract';

export function asTargetError(e: unknown): unknown {
  if (e instanceof TargetError) return e;
  if (e instanceof Error && typeof (e as unknown as { errno?: unknown }).errno === "string") {
    return new TargetError((e as unknown as { errno: string }).errno, e.message);
  }
  return e;
}

/** wrap every method of an object so emulator errors leave as TargetError */
export function translateErrors<T extends object>(obj: T): T {
  return new Proxy(obj, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        try {
          return await v.apply(target, args);
        } catch (e) {
          throw asTargetError(e);
        }
      };
    },
  });
}
