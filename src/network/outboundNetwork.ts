// The hub's way out: every connection to a system people configured goes through here, so the
// address policy is checked on the address actually connected to (after DNS, at connect time),
// not only on the name that was stored. A name that resolved to a public address when it was
// saved and to 127.0.0.1 now (DNS rebinding) is refused all the same, and so is every hop of a
// redirect, because each new connection passes the same check.
import dns from 'node:dns';
import net from 'node:net';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import { AddressPolicy } from './addressPolicy.ts';

/** Raised when a connection would go to a refused address; the taxonomy calls it a `config` error. */
export class AddressRefusedError extends Error {
  override name = 'AddressRefusedError';
  readonly code = 'ERR_HUB_ADDRESS_REFUSED';
  readonly addressClass: string;

  constructor(host: string, address: string, addressClass: string) {
    const shown = host === address ? address : `${host} (${address})`;
    super(
      `${shown} is a ${addressClass} address, which this hub does not call; an operator can allow it with HUB_ALLOWED_NETWORKS`,
    );
    this.addressClass = addressClass;
  }
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;

/** How names become addresses: the system's resolver, or a stand-in (tests of DNS rebinding). */
export type ResolveAll = (hostname: string, family?: number) => Promise<dns.LookupAddress[]>;

const systemResolver: ResolveAll = (hostname, family) =>
  dns.promises.lookup(hostname, { all: true, ...(family ? { family } : {}) });

export interface ResolvedHost {
  address: string;
  family: 4 | 6;
}

export class OutboundNetwork {
  readonly policy: AddressPolicy;
  readonly #shared: Agent;
  readonly #resolve: ResolveAll;

  constructor(policy: AddressPolicy = new AddressPolicy(), resolve: ResolveAll = systemResolver) {
    this.policy = policy;
    this.#resolve = resolve;
    this.#shared = this.agent({ keepAliveTimeout: 10_000, connections: 32, connect: { timeout: 10_000 } });
  }

  /** A `lookup` for net/tls: resolves, then keeps only the addresses the policy allows. */
  readonly lookup = (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    const byName = this.policy.hostnameRefusal(hostname);
    if (byName) {
      callback(new AddressRefusedError(hostname, hostname, byName) as NodeJS.ErrnoException, []);
      return;
    }
    this.#resolve(hostname, typeof options.family === 'number' ? options.family : undefined).then(
      (addresses) => this.#answer(hostname, options, addresses, callback),
      (error: NodeJS.ErrnoException) => callback(error, []),
    );
  };

  /** Answers a lookup with the allowed addresses only; none allowed is a refusal naming the first. */
  #answer(
    hostname: string,
    options: dns.LookupOptions,
    addresses: dns.LookupAddress[],
    callback: LookupCallback,
  ) {
    const permitted = addresses.filter((entry) => this.policy.refusal(entry.address) === undefined);
    const first = addresses[0];
    if (permitted.length === 0 || !first) {
      const refused = first
        ? new AddressRefusedError(hostname, first.address, this.policy.refusal(first.address) ?? 'refused')
        : Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' });
      return callback(refused as NodeJS.ErrnoException, []);
    }
    if (options.all) return callback(null, permitted);
    return callback(null, permitted[0]!.address, permitted[0]!.family);
  }

  /** An undici connector that checks IP literals itself and names through `lookup`. */
  connector(options: buildConnector.BuildOptions = {}): buildConnector.connector {
    const connect = buildConnector({ ...options, lookup: this.lookup } as buildConnector.BuildOptions);
    return (target, callback) => {
      const host = target.hostname.replace(/^\[|\]$/g, '');
      const refusal = net.isIP(host) ? this.policy.refusal(host) : this.policy.hostnameRefusal(host);
      if (refusal) {
        callback(new AddressRefusedError(host, host, refusal), null);
        return;
      }
      connect(target, callback);
    };
  }

  /** An undici Agent whose every connection passes the policy. */
  agent(options: Omit<Agent.Options, 'connect'> & { connect?: buildConnector.BuildOptions } = {}): Agent {
    const { connect, ...rest } = options;
    return new Agent({ ...rest, connect: this.connector(connect) });
  }

  /** fetch (undici's) through the policy; redirects it follows are checked hop by hop. */
  readonly fetch: typeof globalThis.fetch = ((input: Parameters<typeof undiciFetch>[0], init?: object) =>
    undiciFetch(input, { ...init, dispatcher: this.#shared } as Parameters<
      typeof undiciFetch
    >[1])) as unknown as typeof globalThis.fetch;

  /**
   * For protocols that open their own sockets (IMAP, SMTP): the address to connect to, resolved
   * and checked once, so the library connects to exactly what was checked.
   */
  async resolve(host: string): Promise<ResolvedHost> {
    const bare = host.replace(/^\[|\]$/g, '');
    const family = net.isIP(bare);
    if (family !== 0) {
      const refusal = this.policy.refusal(bare);
      if (refusal) throw new AddressRefusedError(bare, bare, refusal);
      return { address: bare, family: family as 4 | 6 };
    }
    return new Promise((resolve, reject) => {
      this.lookup(bare, {}, (error, address, resolvedFamily) => {
        if (error) reject(error);
        else resolve({ address: address as string, family: resolvedFamily === 6 ? 6 : 4 });
      });
    });
  }

  /**
   * The check when a URL or host is saved: the refusal message for an IP literal the policy
   * refuses, or a name that resolves only to refused addresses. A name that does not resolve (yet)
   * passes: the check at connect time still holds.
   */
  async refusalOf(host: string, timeoutMs = 3_000): Promise<string | undefined> {
    const bare = host.replace(/^\[|\]$/g, '');
    if (net.isIP(bare)) {
      const refusal = this.policy.refusal(bare);
      return refusal ? new AddressRefusedError(bare, bare, refusal).message : undefined;
    }
    const byName = this.policy.hostnameRefusal(bare);
    if (byName) return new AddressRefusedError(bare, bare, byName).message;
    const addresses = await Promise.race([
      this.#resolve(bare).catch(() => []),
      new Promise<dns.LookupAddress[]>((resolve) => setTimeout(() => resolve([]), timeoutMs).unref()),
    ]);
    if (addresses.length === 0) return undefined;
    const refusals = addresses.map((entry) => this.policy.refusal(entry.address));
    if (refusals.some((refusal) => refusal === undefined)) return undefined;
    return new AddressRefusedError(bare, addresses[0]!.address, refusals[0]!).message;
  }

  async close(): Promise<void> {
    await this.#shared.close().catch(() => {});
  }
}

/** Whether an error (or one of its causes) is a refusal of the address policy. */
export function addressRefusal(error: unknown): AddressRefusedError | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (current instanceof AddressRefusedError) return current;
    if (current instanceof AggregateError) {
      const inner = current.errors.find((item) => item instanceof AddressRefusedError);
      if (inner) return inner as AddressRefusedError;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
