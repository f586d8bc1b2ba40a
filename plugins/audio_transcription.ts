import type { ProbePlugin } from '../src/core/plugin.js';
import { probeWav } from '../src/core/media.js';

/** Speech to text: a half-second WAV made in code, multipart; healthy on a `text` field. */
const audioTranscription: ProbePlugin = {
  mode: 'audio_transcription',
  description: 'transcription of a 0.5 s generated WAV',
  async probe(_d, ctx) {
    const form = new FormData();
    form.set('file', new Blob([probeWav()], { type: 'audio/wav' }), 'probe.wav');
    form.set('response_format', 'json');
    const res = await ctx.call('audio_transcription', form);
    const text = (res.json as { text?: unknown } | undefined)?.text;
    return typeof text === 'string'
      ? { healthy: true }
      : { healthy: false, errorType: 'bad_response', error: `${res.status} without a text field in the transcription` };
  },
};

export default audioTranscription;
