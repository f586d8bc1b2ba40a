import { expectAnswer, type ProbePlugin } from '../src/core/plugin.js';

/**
 * The free probe: list the provider's models. Proves reachability and auth without generating
 * anything. Used for wildcard routes (`openai/*`) without health_check_model, and for any
 * deployment with `model_info.health_check_probe: models_list`.
 */
const modelsList: ProbePlugin = {
  mode: 'models_list',
  description: 'list models (free: generates nothing)',
  async probe(_target, ctx) {
    const res = await ctx.call('models_list');
    expectAnswer(res, 'data', 'list', 'a model list');
    return { healthy: true };
  },
};

export default modelsList;
