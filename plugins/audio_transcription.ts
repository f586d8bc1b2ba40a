import { expectAnswer, type ProbePlugin } from '../src/core/plugin.js';
import { probeWav } from '../src/core/media.js';

/** Speech to text: a half-second WAV made in code, multipart; healthy on a `text` field. */
const audioTranscription: ProbePlugin = {
  mode: 'audio_transcription',
  description: 'transcription of a 0.5 s generated WAV',
  async probe(_target, ctx) {
    const form = new FormData();
    form.set('file', new Blob([probeWav()], { type: 'audio/wav' }), 'probe.wav');
    form.set('response_format', 'json');
    const res = await ctx.call('audio_transcription', form);
    // Possibly empty: a model may hear no words in a tone, and still have worked.
    expectAnswer(res, 'text', 'string', 'a text field in the transcription');
    return { healthy: true };
  },
};

export default audioTranscription;
