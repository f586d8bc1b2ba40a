import type { Snapshot } from '../config/snapshot.js';
import type { HealthStore } from '../store/types.js';
import { HealthBody, type EntrySerializer } from './health-body.js';
import { storedHealthBody } from './health.js';
import { historyPage, latest } from './history.js';
import type { Views } from './index.js';
import { modelInfo } from './model-info.js';
import { spendAnswer } from './spend.js';
import { uptimeAnswer } from './uptime.js';

/**
 * The answers that are pure reads of the store, each over the snapshot current at the time of
 * asking and the clock then: what the app spreads into its Views.
 */
export function storeViews(snapshot: () => Snapshot, store: HealthStore): Pick<Views, 'storedHealthBody' | 'history' | 'latest' | 'uptime' | 'spend' | 'modelInfo'> {
  let body: { serialize: EntrySerializer; cache: HealthBody } | undefined;
  return {
    storedHealthBody: (q, serialize) => {
      if (body?.serialize !== serialize) body = { serialize, cache: new HealthBody(serialize) };
      return storedHealthBody(body.cache, snapshot(), store, Date.now(), q);
    },
    history: (q) => historyPage(snapshot(), store, q),
    latest: () => latest(snapshot(), store, Date.now()),
    uptime: (q) => uptimeAnswer(snapshot(), store, Date.now(), q),
    spend: (q) => spendAnswer(snapshot(), store, q),
    modelInfo: () => modelInfo(snapshot()),
  };
}
