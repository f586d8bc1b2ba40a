import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { createLogger } from './logger.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LOG_FORMATS = ['json', 'pretty', 'logfmt'] as const;
export const LOG_TIMES = ['epoch', 'iso'] as const;

export interface LogOptions {
  level: (typeof LOG_LEVELS)[number];
  format: (typeof LOG_FORMATS)[number];
  /** epoch: milliseconds (JSON's default); iso: ISO 8601 (logfmt's and pretty's default). */
  time: (typeof LOG_TIMES)[number];
}

function pick<T extends string>(value: string | undefined, valid: readonly T[], name: string): T | { error: string } | undefined {
  if (value === undefined || value === '') return undefined;
  const v = value.trim().toLowerCase();
  return (valid as readonly string[]).includes(v) ? (v as T) : { error: `${name}: "${value}" is not one of ${valid.join(', ')}` };
}

/**
 * The log options from the flags, else LOG_LEVEL / LOG_FORMAT / LOG_TIME. A value that is not
 * valid is a usage error naming the valid ones (pino would otherwise stop with "default level:X
 * must be included in custom levels").
 */
export function logOptions(flags: { level?: string; format?: string; time?: string }, env: NodeJS.ProcessEnv): LogOptions | { error: string } {
  const level = pick(flags.level, LOG_LEVELS, '--log-level') ?? pick(env.LOG_LEVEL, LOG_LEVELS, 'LOG_LEVEL') ?? 'info';
  const format = pick(flags.format, LOG_FORMATS, '--log-format') ?? pick(env.LOG_FORMAT, LOG_FORMATS, 'LOG_FORMAT') ?? 'json';
  const time = pick(flags.time, LOG_TIMES, '--log-time') ?? pick(env.LOG_TIME, LOG_TIMES, 'LOG_TIME') ?? (format === 'json' ? 'epoch' : 'iso');
  for (const v of [level, format, time]) if (typeof v === 'object') return v;
  return { level, format, time } as LogOptions;
}

type PrettyFactory = (opts: Record<string, unknown>) => pino.DestinationStream;
/** By a variable name: the build must not need the optional dependency either. */
const PINO_PRETTY = 'pino-pretty';
const loadPinoPretty = async (): Promise<PrettyFactory> => ((await import(PINO_PRETTY)) as { default: PrettyFactory }).default;

/**
 * The logger for `o`, writing to `sink` (default: stderr's file descriptor). pretty needs
 * pino-pretty, an optional dependency: without it the logs stay JSON and the first line says why.
 */
export async function openLogger(o: LogOptions, sink?: NodeJS.WritableStream, loadPretty: () => Promise<PrettyFactory> = loadPinoPretty): Promise<Logger> {
  const isoTime = o.time === 'iso';
  const raw = sink ? (sink as unknown as pino.DestinationStream) : pino.destination(2);
  if (o.format === 'logfmt') return createLogger(o.level, logfmtStream(raw), { isoTime });
  if (o.format === 'pretty') {
    let pretty: PrettyFactory | undefined;
    try {
      pretty = await loadPretty();
    } catch {
      const logger = createLogger(o.level, raw, { isoTime });
      logger.warn('--log-format pretty needs pino-pretty, an optional dependency that is not installed (npm install pino-pretty): logging JSON instead');
      return logger;
    }
    const tty = (sink ?? process.stderr) as { isTTY?: boolean };
    return createLogger(o.level, pretty({
      destination: sink ?? 2,
      sync: true,
      colorize: tty.isTTY === true,
      translateTime: isoTime ? "UTC:yyyy-mm-dd'T'HH:MM:ss.l'Z'" : 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,service',
    }), { isoTime: false });
  }
  return createLogger(o.level, raw, { isoTime });
}

/** pino's JSON lines rewritten as logfmt: time, level, msg first, nested keys dotted. */
function logfmtStream(out: pino.DestinationStream): pino.DestinationStream {
  return new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) {
        if (!line) continue;
        try {
          out.write(`${toLogfmt(JSON.parse(line) as Record<string, unknown>)}\n`);
        } catch {
          out.write(`${line}\n`);
        }
      }
      done();
    },
  }) as unknown as pino.DestinationStream;
}

export function toLogfmt(entry: Record<string, unknown>): string {
  const { time, level, msg, ...rest } = entry;
  const pairs: string[] = [];
  const add = (key: string, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, inner] of Object.entries(v)) add(`${key}.${k}`, inner);
      return;
    }
    pairs.push(`${key}=${logfmtValue(v)}`);
  };
  if (time !== undefined) add('time', time);
  add('level', typeof level === 'number' ? (pino.levels.labels[level] ?? level) : level);
  if (msg !== undefined) add('msg', msg);
  for (const [k, v] of Object.entries(rest)) add(k, v);
  return pairs.join(' ');
}

function logfmtValue(v: unknown): string {
  const s = typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v);
  return s !== '' && /^[^\s"=\\\u0000-\u001f\u007f]+$/.test(s) ? s : JSON.stringify(s);
}
