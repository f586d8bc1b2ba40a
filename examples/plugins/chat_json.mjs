// An example user plugin: a new mode, `chat_json`, for deployments that must answer in JSON mode
// (response_format json_object). Load it with
//   general_settings: { health_check_plugins_dir: ./examples/plugins }   (or --plugins DIR)
// and give a deployment `model_info: { mode: chat_json }`.
//
// The whole contract: export a `mode` and one async `probe(deployment, ctx)` returning
// `{ healthy, error?, errorType?, details? }`. `ctx.call(operation, payload)` sends an
// OpenAI-shaped request through the deployment's provider (URL, auth, api-version, its
// health_check_params) and throws a typed error on a non-2xx answer or a transport failure;
// `ctx.signal` is aborted at the deployment's timeout; `ctx.prompt` and `ctx.maxTokens` are the
// configured prompt and budget. Timing, timeouts, metrics, spans and storage are the core's.

/** @type {import('../../src/core/plugin.js').ProbePlugin} */
export default {
  mode: 'chat_json',
  description: 'chat completion in JSON mode; healthy when the answer parses as JSON',
  async probe(deployment, ctx) {
    const res = await ctx.call('chat', {
      messages: [
        { role: 'system', content: 'Answer with a JSON object.' },
        { role: 'user', content: ctx.prompt },
      ],
      response_format: { type: 'json_object' },
      ...(ctx.maxTokens !== undefined ? { max_tokens: Math.max(ctx.maxTokens, 32) } : {}),
    });
    const content = res.json?.choices?.[0]?.message?.content;
    try {
      JSON.parse(content);
      return { healthy: true, details: { json_mode: true } };
    } catch {
      return { healthy: false, errorType: 'bad_response', error: `${deployment.modelName}: JSON mode answer is not JSON` };
    }
  },
};
