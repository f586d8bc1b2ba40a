import { parseConfig } from '../../src/config/load.js';
import { buildSnapshot, type Snapshot } from '../../src/config/snapshot.js';
import type { ProbeResult } from '../../src/core/result.js';
import { MemoryStore } from '../../src/store/memory.js';

/** A snapshot of `yaml` (generation `gen`) and an empty store: views need nothing else. */
export function viewsOf(yaml: string, env: NodeJS.ProcessEnv = {}, gen = 0): { s: Snapshot; store: MemoryStore } {
  return { s: buildSnapshot(parseConfig(yaml, 'views.yaml', env), gen), store: new MemoryStore(10) };
}

export function result(id: string, at: number, healthy: boolean, extra: Partial<ProbeResult> = {}): ProbeResult {
  return {
    deploymentId: id, healthy, startedAt: at - 5, checkedAt: at, latencyMs: 5, headers: {},
    ...(healthy ? {} : { errorType: 'server_error' as const, error: '503: upstream overloaded', status: 503 }),
    ...extra,
  };
}

export const TWO = `
model_list:
  - model_name: gpt
    litellm_params: { model: openai/gpt-4o, api_base: "https://user:pa55word@llm.example/v1?key=querysecret", api_key: sk-canary-views }
    model_info: { id: gpt-1 }
  - model_name: claude
    litellm_params: { model: anthropic/claude-3-5-haiku, api_key: sk-ant-canary }
    model_info: { id: claude-1, description: fast, secret_note: hidden }
`;
export const BACKGROUND = `${TWO}
general_settings:
  background_health_checks: true
  health_check_interval: 60
`;
