import { ProbeError, readAnswer, type ProbePlugin } from '../src/core/plugin.js';

/** Realtime: open the websocket, wait for the server's session event, close. Generates nothing. */
const realtime: ProbePlugin = {
  mode: 'realtime',
  description: 'realtime websocket handshake and session event (free)',
  async probe(_target, ctx) {
    const res = await ctx.call('realtime');
    const type = readAnswer(res, 'type');
    if (typeof type === 'string' && type.startsWith('session.')) return { healthy: true };
    // No "<status> …" prefix: the status of a websocket upgrade (101) says nothing here.
    throw new ProbeError('bad_response', `realtime: first event "${String(type)}", not a session event`, { status: res.status });
  },
};

export default realtime;
