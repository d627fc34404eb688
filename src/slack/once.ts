// Remembering, for a while, what was already done: the first `first(key)` is true, and
// the same key within `ttlMs` is false. In memory, per process.
export interface Once {
  first(key: string): boolean;
}

export function onceWithin(ttlMs: number, now: () => number = Date.now): Once {
  const seen = new Map<string, number>();
  return {
    first(key) {
      const t = now();
      // Keys arrive in time order, so the expired ones are at the front.
      for (const [k, until] of seen) {
        if (until > t) break;
        seen.delete(k);
      }
      if (seen.has(key)) return false;
      seen.set(key, t + ttlMs);
      return true;
    },
  };
}
