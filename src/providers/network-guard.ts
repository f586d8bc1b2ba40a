import { lookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { ProbeError } from '../core/errors.js';
import type { NetworkList } from '../core/networks.js';

const WHY = 'in general_settings.health_check_deny_networks (link-local and cloud metadata addresses are denied by default)';

/** A probe to an IP address written in api_base that the deny list holds. */
export function deniedError(host: string): ProbeError {
  return new ProbeError('config', `${host.replace(/^\[|\]$/g, '')} is ${WHY}`);
}

type Callback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * dns.lookup for the connection pool, dropping denied addresses: a host name that resolves to
 * 169.254.169.254 is refused at connect time, after resolution, so DNS tricks do not get past
 * the check on written addresses. With no address left, the error names the host and why.
 */
export function guardedLookup(deny: NetworkList) {
  return (hostname: string, options: LookupOneOptions | LookupAllOptions, callback: Callback): void => {
    lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const allowed = addresses.filter((a) => !deny.contains(a.address));
      if (!allowed.length) {
        const refused = Object.assign(new Error(`${hostname} resolves to ${addresses[0]?.address ?? 'nothing'}, ${WHY}`), { code: 'EDENIEDNETWORK' });
        return callback(refused, '');
      }
      if ((options as LookupAllOptions).all) return callback(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}
