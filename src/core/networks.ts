import { BlockList, isIP } from 'node:net';

/**
 * Where probes may not connect. Cloud metadata services live on link-local addresses
 * (169.254.169.254 on AWS, GCP and Azure; fd00:ec2::254 on AWS over IPv6; 100.100.100.200 on
 * Alibaba) and answer with credentials; no LLM API lives there. Private ranges stay allowed:
 * self-hosted models and gateways are what operators probe.
 */
export const DEFAULT_DENY_NETWORKS: readonly string[] = ['169.254.0.0/16', 'fe80::/10', 'fd00:ec2::254/128', '100.100.100.200/32'];

/** `10.0.0.0/8`, `fd00::/8` or a bare address; undefined when it is neither. */
function parse(network: string): { address: string; prefix: number; type: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', bits, extra] = network.trim().split('/');
  const version = isIP(address);
  if (!version || extra !== undefined) return undefined;
  const max = version === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return { address, prefix, type: version === 4 ? 'ipv4' : 'ipv6' };
}

export function isNetwork(network: string): boolean {
  return parse(network) !== undefined;
}

const MAX_REMEMBERED = 4096;

/** A compiled list of networks; `key` tells two lists apart (one connection pool per list). */
export class NetworkList {
  readonly key: string;
  readonly #blocks = new BlockList();
  readonly #answers = new Map<string, boolean>();

  constructor(readonly networks: readonly string[]) {
    this.key = networks.join(',');
    for (const n of networks) {
      const p = parse(n);
      if (!p) throw new Error(`not a network: ${n}`);
      this.#blocks.addSubnet(p.address, p.prefix, p.type);
    }
  }

  /** Whether an IP address (v4, v6, v4-mapped v6, or a bracketed URL host) is in the list. */
  contains(host: string): boolean {
    // Asked once per deployment as its request is prepared, mostly of a few hosts; a BlockList
    // check of an IP address builds a SocketAddress (~60 ms over 10,000 deployments on one
    // address at start-up, in a CPU profile of npm run bench's launch).
    let inList = this.#answers.get(host);
    if (inList === undefined) {
      inList = this.#check(host);
      // Bounded: DNS answers reach it too, and a rotating resolver must not grow it without end.
      if (this.#answers.size >= MAX_REMEMBERED) this.#answers.clear();
      this.#answers.set(host, inList);
    }
    return inList;
  }

  #check(host: string): boolean {
    const bare = host.replace(/^\[|\]$/g, '');
    const address = unmapped(bare) ?? bare;
    const version = isIP(address);
    return version !== 0 && this.#blocks.check(address, version === 4 ? 'ipv4' : 'ipv6');
  }
}

/** The IPv4 address inside an IPv4-mapped IPv6 one (`::ffff:1.2.3.4`, or `::ffff:102:304` as URLs write it). */
function unmapped(address: string): string | undefined {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (dotted) return dotted;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return undefined;
  const [hi, lo] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}
