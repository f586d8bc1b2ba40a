/** One sample of the Prometheus text format. */
export interface Sample { name: string; labels: Record<string, string>; value: number }

/** Parses the Prometheus text exposition (enough of it for assertions: no escapes beyond \\" and \\\\). */
export function parsePromText(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) throw new Error(`unparseable line: ${line}`);
    const labels: Record<string, string> = {};
    for (const lm of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[lm[1]!] = lm[2]!.replace(/\\(.)/g, '$1');
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

export const byName = (samples: Sample[], name: string) => samples.filter((s) => s.name === name);

/** A metric family's metadata: its # HELP, # TYPE and # UNIT lines (unescaped). */
export interface Family { help?: string; type?: string; unit?: string }

/** The metric families of a Prometheus text exposition, by name, from their comment lines. */
export function parsePromFamilies(text: string): Map<string, Family> {
  const out = new Map<string, Family>();
  for (const line of text.split('\n')) {
    const m = /^# (HELP|TYPE|UNIT) (\S+) ?(.*)$/.exec(line);
    if (!m) continue;
    const family = out.get(m[2]!) ?? {};
    const value = m[3]!.replace(/\\(n|\\)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
    if (m[1] === 'HELP') family.help = value;
    else if (m[1] === 'TYPE') family.type = value;
    else family.unit = value;
    out.set(m[2]!, family);
  }
  return out;
}
