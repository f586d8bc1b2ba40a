import type * as yaml from 'yaml';

/**
 * What makes the yaml library read a file as PyYAML does (LiteLLM loads its config with
 * `yaml.safe_load`): YAML 1.1 scalars, and a duplicate key keeping the last value instead of
 * failing. Self-contained on purpose (no module variables): it also runs in the parser worker,
 * from its source text (read-yaml.ts).
 *
 * The library's own `yaml-1.1` schema reads a few forms differently from PyYAML, so the bool,
 * int and float resolvers below use PyYAML's own patterns (yaml/resolver.py): `y`/`n` stay
 * strings, `1e3` and `1.0e5` (no sign) stay strings, `09` stays a string, `3_00` is 300,
 * `0755` is octal 493, `1:30` is 90 (sexagesimal). Dates stay the strings they are written as:
 * PyYAML makes a date of `2024-02-01`, which LiteLLM passes on as that same text.
 */
export function pyyamlCompat(lib: Pick<typeof yaml, 'isScalar'>): {
  options: yaml.ParseOptions & yaml.DocumentOptions & yaml.SchemaOptions;
  warnings(lines: yaml.LineCounter): string[];
} {
  /** Offset of a repeated key → offset of its first occurrence, and the key when it is a plain name. */
  const duplicates = new Map<number, { first: number; name?: string }>();
  const plain = (s: string) => s.replace(/_/g, '');
  const sexagesimal = (s: string) => {
    const sign = s.startsWith('-') ? -1 : 1;
    return sign * plain(s.replace(/^[-+]/, '')).split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
  };
  const int = (s: string): number => {
    const sign = s.startsWith('-') ? -1 : 1;
    const body = plain(s.replace(/^[-+]/, ''));
    if (body.includes(':')) return sexagesimal(s);
    if (body.startsWith('0b')) return sign * parseInt(body.slice(2), 2);
    if (body.startsWith('0x')) return sign * parseInt(body.slice(2), 16);
    if (body.length > 1 && body.startsWith('0')) return sign * parseInt(body, 8);
    return sign * Number(body);
  };
  const float = (s: string): number => {
    if (/nan$/i.test(s)) return NaN;
    if (/inf$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
    if (s.includes(':')) return sexagesimal(s);
    return Number(plain(s));
  };
  const TAGS = new Set(['tag:yaml.org,2002:bool', 'tag:yaml.org,2002:int', 'tag:yaml.org,2002:float', 'tag:yaml.org,2002:timestamp']);
  const pyyamlTags: yaml.ScalarTag[] = [
    { tag: 'tag:yaml.org,2002:bool', default: true, test: /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/, resolve: () => true },
    { tag: 'tag:yaml.org,2002:bool', default: true, test: /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/, resolve: () => false },
    {
      tag: 'tag:yaml.org,2002:int', default: true, resolve: int,
      test: /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
    },
    {
      tag: 'tag:yaml.org,2002:float', default: true, resolve: float,
      test: /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
    },
  ];
  return {
    options: {
      version: '1.1',
      customTags: (tags) => [...tags.filter((t) => typeof t === 'string' || !TAGS.has(t.tag)), ...pyyamlTags],
      // Never "not unique": record the pair and let the later value win, as a Python dict does.
      uniqueKeys: (a, b) => {
        const same = a === b || (lib.isScalar(a) && lib.isScalar(b) && a.value === b.value && a.source !== '<<');
        if (same && a.range && b.range && !duplicates.has(b.range[0])) {
          // A key is named, never a value; only a plain identifier, so nothing odd reaches a log.
          const name = lib.isScalar(b) && typeof b.value === 'string' && /^[A-Za-z_][\w.-]{0,63}$/.test(b.value) ? b.value : undefined;
          duplicates.set(b.range[0], { first: a.range[0], name });
        }
        return false;
      },
    },
    warnings(lines) {
      return [...duplicates].sort(([x], [y]) => x - y).map(([later, { first, name }]) =>
        `line ${lines.linePos(later).line}: duplicate key${name ? ` ${name}` : ''} (also at line ${lines.linePos(first).line}): the last one is used, as LiteLLM (PyYAML) does`);
    },
  };
}
