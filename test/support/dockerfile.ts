import { readFileSync } from 'node:fs';

/**
 * A small Dockerfile reader for the deploy tests: enough of the syntax for this project's
 * Dockerfile (line continuations, comments, `--flag=value` options, exec and shell forms,
 * `ARG` defaults in `FROM`), and strict about the rest: anything it cannot read is an error, so a
 * test never checks a file it misunderstood.
 */
export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, … */
  op: string;
  /** `--name=value` options before the arguments (COPY --from, RUN --mount, HEALTHCHECK --interval). */
  flags: Record<string, string>;
  /** The text after the flags, as written (continuations joined with a space). */
  text: string;
  /** The exec form (`["a", "b"]`) parsed, else undefined. */
  exec?: string[];
  line: number;
}

export interface Stage {
  /** The image, with ARG defaults substituted. */
  from: string;
  name?: string;
  steps: Instruction[];
}

export interface Dockerfile {
  args: Record<string, string>;
  stages: Stage[];
}

const KNOWN = new Set(['FROM', 'ARG', 'ENV', 'WORKDIR', 'COPY', 'ADD', 'RUN', 'USER', 'EXPOSE', 'STOPSIGNAL', 'HEALTHCHECK', 'ENTRYPOINT', 'CMD', 'LABEL', 'VOLUME', 'SHELL', 'ONBUILD']);

export function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const first = i + 1;
    let line = lines[i]!;
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line)) {
      line = line.replace(/\s*\\\s*$/, '');
      i++;
      if (i >= lines.length) throw new Error(`line ${first}: continuation at the end of the file`);
      const next = lines[i]!;
      if (/^\s*#/.test(next)) continue;
      line += ` ${next.trim()}`;
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`line ${first}: cannot read "${line}"`);
    const op = m[1]!.toUpperCase();
    if (!KNOWN.has(op)) throw new Error(`line ${first}: unknown instruction ${op}`);
    let rest = m[2]!.trim();
    const flags: Record<string, string> = {};
    for (let f = /^--([a-z-]+)=(\S+)\s+/.exec(rest); f; f = /^--([a-z-]+)=(\S+)\s+/.exec(rest)) {
      flags[f[1]!] = f[2]!;
      rest = rest.slice(f[0].length);
    }
    let exec: string[] | undefined;
    if (rest.startsWith('[') || (op === 'HEALTHCHECK' && /^CMD\s+\[/.test(rest))) {
      const json = rest.replace(/^CMD\s+/, '');
      exec = JSON.parse(json) as string[];
      if (!Array.isArray(exec) || exec.some((a) => typeof a !== 'string')) throw new Error(`line ${first}: exec form is not an array of strings`);
    }
    instructions.push({ op, flags, text: rest, exec, line: first });
  }
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.op === 'ARG' && stages.length === 0) {
      const [name, value = ''] = ins.text.split('=', 2) as [string, string?];
      args[name.trim()] = value.trim();
    } else if (ins.op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.text);
      if (!m) throw new Error(`line ${ins.line}: cannot read FROM ${ins.text}`);
      const from = m[1]!.replace(/\$\{(\w+)\}|\$(\w+)/g, (_all, a: string | undefined, b: string | undefined) => {
        const name = (a ?? b)!;
        if (!(name in args)) throw new Error(`line ${ins.line}: FROM uses ARG ${name}, which has no default`);
        return args[name]!;
      });
      stages.push({ from, name: m[2], steps: [] });
    } else {
      if (stages.length === 0) throw new Error(`line ${ins.line}: ${ins.op} before the first FROM`);
      stages[stages.length - 1]!.steps.push(ins);
    }
  }
  return { args, stages };
}

export function readDockerfile(file: string): Dockerfile {
  return parseDockerfile(readFileSync(file, 'utf8'));
}

/** `ENV A=b C=d` (the key=value form; the legacy `ENV A b` too) as a record. */
export function envOf(ins: Instruction): Record<string, string> {
  const out: Record<string, string> = {};
  if (!ins.text.includes('=')) {
    const [k, ...v] = ins.text.split(/\s+/);
    out[k!] = v.join(' ');
    return out;
  }
  for (const m of ins.text.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g)) out[m[1]!] = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!;
  return out;
}

/**
 * `.dockerignore` as Docker applies it, for the simple patterns this project uses: a path from
 * the context root (a folder excludes all it holds) or a glob with `*` and `?` at the root.
 * Negations and `**` throw: extend this before using them.
 */
export function dockerignoreMatcher(text: string): (relPath: string) => boolean {
  const patterns = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const regexes = patterns.map((p) => {
    if (p.startsWith('!') || p.includes('**')) throw new Error(`.dockerignore pattern "${p}" is not supported by this reader`);
    const clean = p.replace(/^\/+/, '').replace(/\/+$/, '');
    const body = clean.split('').map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : /[\\^$.|+(){}[\]]/.test(c) ? `\\${c}` : c)).join('');
    return new RegExp(`^${body}(/.*)?$`);
  });
  return (relPath) => regexes.some((r) => r.test(relPath));
}
