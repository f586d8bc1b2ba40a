import { badAnswer, type ProbePlugin } from '../src/core/plugin.js';

/** Text to speech: a short input and model_info.health_check_voice; healthy on audio bytes. */
const audioSpeech: ProbePlugin = {
  mode: 'audio_speech',
  description: 'speech for a short input',
  async probe(target, ctx) {
    const res = await ctx.call('audio_speech', { input: ctx.prompt, voice: target.voice }, { maxBytes: 16 * 1024 * 1024 });
    if (!/^audio\//i.test(res.contentType)) throw badAnswer(res, `with content type "${res.contentType || 'none'}", not audio`);
    if (res.bytes.length === 0) throw badAnswer(res, 'with an empty audio body');
    return { healthy: true };
  },
};

export default audioSpeech;
