import type { ProbePlugin } from '../src/core/plugin.js';

/** Realtime: open the websocket, wait for the server's session event, close. Generates nothing. */
const realtime: ProbePlugin = {
  mode: 'realtime',
  description: 'realtime websocket handshake and session event (free)',
  async probe(_d, ctx) {
    const res = await ctx.call('realtime');
    const type = (res.json as { type?: unknown } | undefined)?.type;
    return typeof type === 'string' && type.startsWith('session.')
      ? { healthy: true }
      : { healthy: false, errorType: 'bad_response', error: `realtime: first event "${String(type)}", not a session event` };
  },
};

export default realtime;
