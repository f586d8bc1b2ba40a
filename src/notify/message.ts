import type { Deployment } from '../core/deployment.js';
import type { ProbeResult } from '../core/result.js';

/** What one notification says: deployments and whole model groups that went down, or recovered. */
export interface Message {
  status: 'down' | 'resolved';
  /** Epoch ms the batch was sent. */
  at: number;
  deployments: Array<{ d: Deployment; result: ProbeResult | undefined }>;
  groups: Array<{ modelName: string; deployments: number; unhealthy: number }>;
}

/** A confirmed verdict as notifications see it; `unknown`: no verdict yet. */
export type NotifiedState = 'up' | 'down' | 'unknown';

/**
 * What changed in a batch, from the state each deployment and group had before its first change
 * in the batch to the state it has now. A flap inside the batch (down and back) says nothing; a
 * first verdict that is healthy says nothing either (every start would page otherwise).
 */
export function messagesOf(
  at: number,
  deployments: ReadonlyArray<{ d: Deployment; before: NotifiedState; after: NotifiedState; result: ProbeResult | undefined }>,
  groups: ReadonlyArray<{ modelName: string; before: NotifiedState; after: NotifiedState; deployments: number; unhealthy: number }>,
): Message[] {
  const down: Message = { status: 'down', at, deployments: [], groups: [] };
  const resolved: Message = { status: 'resolved', at, deployments: [], groups: [] };
  for (const c of deployments) {
    if (c.after === 'down' && c.before !== 'down') down.deployments.push({ d: c.d, result: c.result });
    else if (c.after === 'up' && c.before === 'down') resolved.deployments.push({ d: c.d, result: c.result });
  }
  for (const g of groups) {
    const entry = { modelName: g.modelName, deployments: g.deployments, unhealthy: g.unhealthy };
    if (g.after === 'down' && g.before !== 'down') down.groups.push(entry);
    else if (g.after === 'up' && g.before === 'down') resolved.groups.push(entry);
  }
  return [down, resolved].filter((m) => m.deployments.length || m.groups.length);
}
