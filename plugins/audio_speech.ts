import type { ProbePlugin } from '../src/core/plugin.js';

/** Text to speech: a short input and model_info.health_check_voice; healthy on audio bytes. */
const audioSpeech: ProbePlugin = {
  mode: 'audio_speech',
  description: 'speech for a short input',
  async probe(d, ctx) {
    const res = await ctx.call('audio_speech', { input: ctx.prompt, voice: d.voice }, { maxBytes: 16 * 1024 * 1024 });
    if (!/^audio\//i.test(res.contentType)) {
      return { healthy: false, errorType: 'bad_response', error: `${res.status} with content type "${res.contentType || 'none'}", not audio` };
    }
    return res.bytes.length > 0 ? { healthy: true } : { healthy: false, errorType: 'bad_response', error: `${res.status} with an empty audio body` };
  },
};

export default audioSpeech;
