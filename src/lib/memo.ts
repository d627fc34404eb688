// Values derived once per object (a health model, a measure spec): what the scoring
// engine would otherwise rebuild for every account it scores. The object must not
// change after the first call; models are not changed once loaded.

/** `compute` memoised by the identity of its argument, for as long as the argument lives. */
export function perObject<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const known = new WeakMap<K, V>();
  return (key) => {
    let value = known.get(key);
    if (value === undefined) known.set(key, (value = compute(key)));
    return value;
  };
}
