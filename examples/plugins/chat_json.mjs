// A user plugin adding the mode `chat_json`, for deployments that must answer in JSON mode
// (response_format json_object). Load it with
//   general_settings: { health_check_plugins_dir: ./examples/plugins }   (or --plugins DIR)
// and give a deployment `model_info: { mode: chat_json }`. docs/plugins.md has the contract.
//
// Plain JavaScript on purpose: the exporter imports a plugin folder as it is, so a plugin cannot
// import the exporter's TypeScript sources. The type comment below is for editors only.

/** @type {import('../../src/core/plugin.js').ProbePlugin} */
export default {
  mode: 'chat_json',
  description: 'chat completion in JSON mode; healthy when the answer parses as JSON',
  async probe(target, ctx) {
    // The provider layer adds the model, URL, auth and health_check_params, translates the
    // answer to OpenAI's shape, and throws a typed error on a non-2xx answer.
    const res = await ctx.call('chat', {
      messages: [
        { role: 'system', content: 'Answer with a JSON object.' },
        { role: 'user', content: ctx.prompt },
      ],
      response_format: { type: 'json_object' },
      // A JSON object needs a few more tokens than the usual probe budget.
      ...(ctx.maxTokens !== undefined ? { max_tokens: Math.max(ctx.maxTokens, 32) } : {}),
    });
    const content = res.json?.choices?.[0]?.message?.content;
    if (typeof content !== 'string') {
      return { healthy: false, errorType: 'bad_response', error: `${res.status} without a message in the chat completion` };
    }
    try {
      JSON.parse(content);
    } catch {
      return { healthy: false, errorType: 'bad_response', error: `${target.modelName}: JSON mode answer is not JSON` };
    }
    return { healthy: true, details: { json_mode: true } };
  },
};
