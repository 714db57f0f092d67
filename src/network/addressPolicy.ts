// Which addresses the hub may call out to. Everything it calls (integration URLs, token endpoints,
// mail servers, subscriber URLs) is named by people who may not be trusted with the hub's own
// network: loopback, link-local (cloud metadata), private, CGNAT, unique local, unspecified and
// every other special-purpose range are refused unless the operator lists them in
// HUB_ALLOWED_NETWORKS. Parsing and matching are ipaddr.js's.
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Network = [Address, number];

/** Where cloud providers serve instance credentials: AWS/GCP/Azure, AWS over IPv6, Alibaba, Oracle. */
const metadataAddresses = new Set(['169.254.169.254', 'fd00:ec2::254', '100.100.100.200', '192.0.0.192']);

/** Names that reach a metadata service whatever DNS says; treated as 169.254.169.254. */
const metadataHostnames = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.internal',
]);

const globalUnicast = ipaddr.parseCIDR('2000::/3');

const classNames: Record<string, string> = {
  loopback: 'loopback',
  linkLocal: 'link-local',
  private: 'private (RFC 1918)',
  carrierGradeNat: 'carrier-grade NAT (100.64.0.0/10)',
  uniqueLocal: 'unique local (fc00::/7)',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'broadcast',
};

export class AddressPolicy {
  readonly #allowed: Network[];
  /** The operator's list as given, for messages. */
  readonly allowed: string[];

  constructor(allowed: string[] = []) {
    this.allowed = allowed;
    this.#allowed = allowed.map(parseNetwork);
  }

  /**
   * Parses HUB_ALLOWED_NETWORKS: comma-separated CIDRs or single addresses. Throws naming the
   * entry that is neither.
   */
  static parse(list: string | undefined): AddressPolicy {
    const entries = (list ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    for (const entry of entries) {
      try {
        parseNetwork(entry);
      } catch {
        throw new Error(`"${entry}" is not an address or CIDR (e.g. 10.0.0.0/8, 127.0.0.1, ::1/128)`);
      }
    }
    return new AddressPolicy(entries);
  }

  /**
   * Why the hub does not call this IP address (its class, e.g. "loopback"), or undefined when it
   * may: a public unicast address, or one the operator allowed.
   */
  refusal(address: string): string | undefined {
    const parsed = parseAddress(address);
    if (!parsed) return 'unparseable';
    const candidates = [parsed, ...(embeddedIpv4(parsed) ? [embeddedIpv4(parsed) as Address] : [])];
    if (candidates.some((candidate) => this.#isAllowed(candidate))) return undefined;
    return addressClass(parsed);
  }

  /** For a host name: the class when the name itself is a metadata service's, else undefined. */
  hostnameRefusal(hostname: string): string | undefined {
    const name = hostname.toLowerCase().replace(/\.$/, '');
    if (!metadataHostnames.has(name)) return undefined;
    return this.refusal('169.254.169.254') === undefined ? undefined : 'cloud metadata';
  }

  #isAllowed(address: Address): boolean {
    return this.#allowed.some(
      ([network, bits]) => network.kind() === address.kind() && address.match(network, bits),
    );
  }
}

/** The class of an address the hub refuses by default, or undefined for a public unicast address. */
export function addressClass(address: string | Address): string | undefined {
  const parsed = typeof address === 'string' ? parseAddress(address) : address;
  if (!parsed) return 'unparseable';
  const plain = embeddedIpv4(parsed) ?? parsed;
  if (metadataAddresses.has(plain.toString()) || metadataAddresses.has(parsed.toString()))
    return 'cloud metadata';
  if (plain !== parsed && parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    // ::ffff:a.b.c.d reaches a.b.c.d: it is what the IPv4 address is.
    return addressClass(plain);
  }
  if (plain !== parsed) return 'IPv4-compatible IPv6';
  const range = parsed.range();
  if (range === 'unicast') {
    // Only 2000::/3 is routed on the internet; the rest of IPv6 that ipaddr.js calls unicast is unassigned.
    if (parsed.kind() === 'ipv6' && !parsed.match(globalUnicast)) return 'reserved';
    return undefined;
  }
  return classNames[range] ?? `reserved (${range})`;
}

function parseAddress(text: string): Address | undefined {
  const bare = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  // Only the standard forms: an address given as 0x7f.1 or 2130706433 is a host name to resolve.
  if (!ipaddr.IPv4.isValidFourPartDecimal(bare) && !ipaddr.IPv6.isValid(bare)) return undefined;
  return ipaddr.parse(bare);
}

/** The IPv4 address an IPv6 address carries in its last 32 bits (mapped ::ffff:0:0/96 or compatible ::/96). */
function embeddedIpv4(address: Address): ipaddr.IPv4 | undefined {
  if (address.kind() !== 'ipv6') return undefined;
  const v6 = address as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
  const [high = 0, low = 0] = v6.parts.slice(6);
  const compatible = v6.parts.slice(0, 6).every((part) => part === 0) && (high !== 0 || low > 1);
  return compatible ? new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]) : undefined;
}

function parseNetwork(entry: string): Network {
  if (entry.includes('/')) return ipaddr.parseCIDR(entry);
  const address = parseAddress(entry);
  if (!address) throw new Error(`not an address: ${entry}`);
  return [address, address.kind() === 'ipv4' ? 32 : 128];
}
