/** The query that names deployments: a model group (`model`) or one deployment (`model_id`), as in LiteLLM. */
export const MODEL = { type: 'string', minLength: 1, maxLength: 512 } as const;
export const SELECTOR_PROPERTIES = { model: MODEL, model_id: MODEL } as const;

/** The querystring of a route that takes the selector, and `more` parameters of its own. */
export function selectorQuery<P extends Record<string, unknown>>(more: P = {} as P) {
  return { type: 'object', properties: { ...SELECTOR_PROPERTIES, ...more } } as const;
}
