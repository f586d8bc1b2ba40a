/**
 * The JSON-schema pieces the routes share. A response schema is also fastify's serialiser: a
 * property it does not list never reaches the answer, so `closed` objects are allow-lists.
 */
export const str = { type: 'string' } as const;
export const int = { type: 'integer' } as const;
export const num = { type: 'number' } as const;
export const bool = { type: 'boolean' } as const;

/** An object of exactly these properties (additionalProperties: false). */
export function closed<P extends Record<string, unknown>>(properties: P) {
  return { type: 'object', additionalProperties: false, properties } as const;
}

/** LiteLLM's error shape, which every 4xx answer takes. */
export const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { message: str, type: str, param: str, code: int },
    },
  },
} as const;

/** The response schemas of the error statuses a route may answer with. */
export function errorResponses<C extends number>(...codes: C[]): Record<C, typeof errorSchema> {
  return Object.fromEntries(codes.map((c) => [c, errorSchema])) as Record<C, typeof errorSchema>;
}
