/**
 * Strings that keep nothing else alive. V8 cuts a substring of 13 characters or more as a slice
 * of the string it came from, and a slice keeps that whole string: one api_base read from a 2 MB
 * config file kept the file's text in memory for as long as the deployment lived (issue 18).
 */

/** Below this length V8 copies a substring instead of slicing it (SlicedString::kMinLength). */
const MIN_SLICE_LENGTH = 13;

/** `s` as a string of its own: JSON gives back every string exactly, lone surrogates included. */
export function flatCopy(s: string): string {
  return s.length < MIN_SLICE_LENGTH ? s : (JSON.parse(JSON.stringify(s)) as string);
}

/**
 * A flatCopy that also hands out one string per distinct text: a config's 10,000 deployments
 * usually share a few models and endpoints. The table lives as long as the function; with
 * `max`, it is cleared when full (a long-lived table that reloads may feed other values), which
 * only costs a few duplicates.
 */
export function flatStrings(max = Infinity): (s: string) => string {
  const seen = new Map<string, string>();
  return (s) => {
    if (s.length < MIN_SLICE_LENGTH) return s;
    let flat = seen.get(s);
    if (flat === undefined) {
      if (seen.size >= max) seen.clear();
      seen.set(s, (flat = flatCopy(s)));
    }
    return flat;
  };
}
