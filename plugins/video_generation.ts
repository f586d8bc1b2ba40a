import { badAnswer, expectAnswer, readAnswer, type ProbePlugin } from '../src/core/plugin.js';

/** The shortest video OpenAI's video API (Sora) makes, in seconds. */
const SHORTEST_VIDEO_S = '4';

/**
 * Video generation. A video is the costliest thing a probe could make, so by default this lists
 * the deployment's video jobs (`GET /videos?limit=1`: free, read-only; it proves the video API
 * answers with this key). Only with model_info.health_check_probe: generate does it start one
 * job of the shortest video (`POST /videos`, multipart, as OpenAI documents it) and count it
 * healthy once the job is accepted: it does not wait for, or download, the video.
 */
const videoGeneration: ProbePlugin = {
  mode: 'video_generation',
  description: 'list video jobs (free); with health_check_probe: generate, one 4 s video (costly)',
  async probe(target, ctx) {
    if (target.probeStrategy !== 'generate') {
      const res = await ctx.call('video_list');
      expectAnswer(res, 'data', 'list', 'a video list'); // empty when no video was ever made
      return { healthy: true };
    }
    const form = new FormData();
    form.set('prompt', ctx.prompt);
    form.set('seconds', SHORTEST_VIDEO_S);
    const res = await ctx.call('video_generation', form);
    expectAnswer(res, 'id', 'non-empty string', 'a video job id');
    if (readAnswer(res, 'status') === 'failed') throw badAnswer(res, 'with video job status "failed"');
    return { healthy: true };
  },
};

export default videoGeneration;
