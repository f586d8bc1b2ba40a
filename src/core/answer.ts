/**
 * The checks a probe plugin makes on a provider's answer, in one place: read a dotted path of the
 * (OpenAI-shaped) JSON, check its shape, and fail with a `bad_response` that says what was
 * missing. Failures are thrown, so a plugin reads top to bottom: call, expect, return healthy.
 */
import { ProbeError } from './errors.js';
import type { ProviderResponse } from './operation.js';

/** What a part of the answer must look like. */
export interface AnswerShapes {
  /** An array, possibly empty (an empty list of batches or models is a valid answer). */
  'list': unknown[];
  'non-empty list': [unknown, ...unknown[]];
  /** A string, possibly empty (a transcription of a tone may be ""). */
  'string': string;
  'non-empty string': string;
  /** An embedding: a non-empty array starting with a number, or a non-empty string (encoding_format: base64). */
  'vector': number[] | string;
  /** A JSON object (not null, not an array). */
  'object': Record<string, unknown>;
}
export type AnswerShape = keyof AnswerShapes;

const HAS_SHAPE: { [S in AnswerShape]: (v: unknown) => v is AnswerShapes[S] } = {
  'list': (v): v is unknown[] => Array.isArray(v),
  'non-empty list': (v): v is [unknown, ...unknown[]] => Array.isArray(v) && v.length > 0,
  'string': (v): v is string => typeof v === 'string',
  'non-empty string': (v): v is string => typeof v === 'string' && v.length > 0,
  // The first element only, and any non-empty string: a check over every float of a long vector
  // costs for nothing, and base64 comes wrapped or URL-safe from some servers (no false red).
  'vector': (v): v is number[] | string =>
    (Array.isArray(v) && v.length > 0 && typeof v[0] === 'number') || (typeof v === 'string' && v.length > 0),
  'object': (v): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v),
};

/**
 * The value at a dotted `path` of the answer's JSON (`choices.0.message.content`), or undefined
 * when any step is missing. Only own properties are followed, never the prototype chain.
 */
export function readAnswer(res: Pick<ProviderResponse, 'json'>, path: string): unknown {
  let value: unknown = res.json;
  for (const key of stepsOf(path)) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Plugins read the same few paths on every probe: each is split once. */
const steps = new Map<string, readonly string[]>();
function stepsOf(path: string): readonly string[] {
  let s = steps.get(path);
  if (!s) {
    s = path.split('.');
    // Bounded: a plugin that builds paths from answers must not grow this without end.
    if (steps.size < 1024) steps.set(path, s);
  }
  return s;
}

/**
 * The value at `path` if it has `shape`; otherwise throws bad_response "`<status> without <what>`"
 * (e.g. "200 without choices in the chat completion"). With several paths, the first that has
 * the shape wins (`['data.0.url', 'data.0.b64_json']`).
 */
export function expectAnswer<S extends AnswerShape>(
  res: Pick<ProviderResponse, 'status' | 'json'>,
  path: string | readonly string[],
  shape: S,
  what: string,
): AnswerShapes[S] {
  if (typeof path === 'string') {
    const value = readAnswer(res, path);
    if (HAS_SHAPE[shape](value)) return value;
  } else {
    for (const p of path) {
      const value = readAnswer(res, p);
      if (HAS_SHAPE[shape](value)) return value;
    }
  }
  throw badAnswer(res, `without ${what}`);
}

/**
 * A bad_response failure for a 2xx answer that is not what the probe needs: "`<status> <problem>`".
 * It keeps the answer's status, so /health reports exception_status 200 (not 500).
 */
export function badAnswer(res: Pick<ProviderResponse, 'status'>, problem: string): ProbeError {
  return new ProbeError('bad_response', `${res.status} ${problem}`, { status: res.status });
}
