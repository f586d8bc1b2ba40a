import { describe, expect, it } from 'vitest';
import { exporterForTest } from './support/exporter.js';

/**
 * Every route refuses in the same words (src/server/answers.ts): one 401 whether the key was
 * missing or wrong, on the API and on the status page's routes alike, and one 404 for a route
 * that does not exist and for one switched off, so a switched-off page looks absent.
 */
const yaml = (statusPage: string) => `model_list:
  - model_name: gpt
    litellm_params: { model: openai/ok, api_base: "http://127.0.0.1:9/v1" }
general_settings:
  master_key: sk-answers-master
  status_page: ${statusPage}
`;
const UNAUTHORIZED = { error: { message: 'Authentication error: invalid or missing master key', type: 'auth_error', code: 401 } };
const notFound = (path: string) => ({ error: { message: `route GET ${path} not found`, type: 'not_found', code: 404 } });

async function answer(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: await res.json() };
}

describe('refusals', () => {
  it('401: the API routes and, in private mode, the status data and badges say the same', async () => {
    const ex = await exporterForTest(yaml('private'));
    const keys: Array<Record<string, string>> = [{}, { authorization: 'Bearer sk-wrong' }];
    for (const path of ['/health', '/health/probe?model_id=x', '/health/spend', '/health/uptime', '/health/history', '/model/info', '/status.json', '/badge/gpt/status.svg']) {
      for (const headers of keys) {
        expect({ path, ...(await answer(`${ex.url}${path}`, headers)) }).toEqual({ path, status: 401, body: UNAUTHORIZED });
      }
    }
  });

  it('404: an unknown route, and the status page switched off, say the same', async () => {
    const ex = await exporterForTest(yaml('off'));
    const key = { authorization: 'Bearer sk-answers-master' };
    for (const path of ['/nowhere', '/status.json', '/badge/gpt/status.svg', '/badge/id/gpt/uptime.svg']) {
      expect({ path, ...(await answer(`${ex.url}${path}?window=24h`, key)) }).toEqual({ path, status: 404, body: notFound(path) });
    }
  });
});
