// An external system as the reliability suite drives it: a sandbox started in this process, the
// integration that points the hub at it, changes made to its data through the sandbox's own
// handles, its faults and outages, and the truth the hub's records are checked against.
import type { SandboxFaultSettings } from '../../../sandbox/shared/faultInjection.ts';

/** How the hub learns that a record is gone from this system. */
export type DeletionFeed =
  /** The change feed says so (tombstones, `@removed`, cancelled events): incremental runs see it. */
  | 'feed'
  /** Only a full pass finds it (the sweep of ids the pass did not see). */
  | 'sweep'
  /** The system cannot tell; the suite deletes nothing there. */
  | 'none';

export interface SandboxCounters {
  requests: number;
  faultsInjected: Record<string, number>;
}

export interface ChaosSystem {
  /** Short name, e.g. `xentral`. */
  name: string;
  /** The integration's entity whose records are checked. */
  entity: string;
  deletions: DeletionFeed;
  /** Whether POST /__sandbox/tokens/expire is healed by the connector (an OAuth refresh). */
  refreshesTokens: boolean;
  /** The integration body for POST /api/v1/integrations, without schedule and retry policy. */
  integration(): Record<string, unknown>;
  /** The credentials given to the hub, for the secret scan. */
  secrets(): string[];
  /** Injected faults on every API request; null heals. */
  setFaults(settings: SandboxFaultSettings | null): Promise<void>;
  /** Every access token handed out stops working. */
  expireTokens(): Promise<void>;
  /** The system is unreachable (stopped, or answering nothing but errors) until `end`. */
  outage(): Promise<{ end(): Promise<void>; how: string }>;
  /** One change as a user of the system makes it; returns what it did, e.g. `update C000012`. */
  change(kind: 'create' | 'update' | 'delete', random: () => number): string | undefined;
  /** Every live record's id and the content the check compares (what the changes touch). */
  truth(): Map<string, string>;
  /** The same content read from the hub's canonical record. */
  contentOf(canonical: Record<string, unknown>): string;
  /** What the sandbox counted since it started. */
  counters(): Promise<SandboxCounters>;
  close(): Promise<void>;
}

/** The shared admin routes of a sandbox (sandbox/shared/adminRoutes.ts), over HTTP. */
export function sandboxAdmin(url: string) {
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}/__sandbox/${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status !== 200)
      throw new Error(`${method} ${url}/__sandbox/${path}: ${response.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  // The faults in force, so an outage can hand back to them.
  let current: SandboxFaultSettings | null = null;
  return {
    setFaults: async (settings: SandboxFaultSettings | null) => {
      current = settings;
      await call('POST', 'faults', settings);
    },
    expireTokens: async () => {
      await call('POST', 'tokens/expire');
    },
    counters: async (): Promise<SandboxCounters> => {
      const stats = await call('GET', 'stats');
      return {
        requests: stats.requests as number,
        faultsInjected: stats.faultsInjected as Record<string, number>,
      };
    },
    /** Every API request answered 503 until `end`, then the faults in force before. */
    outage: async () => {
      await call('POST', 'faults', { rate: 1, kinds: ['503'], retryAfterSeconds: 1 });
      return {
        how: 'every request answered 503',
        end: async () => {
          await call('POST', 'faults', current);
        },
      };
    },
  };
}

/** A marker that makes every change's content unique: `<base> · r<n>`. */
export function revised(base: string, revision: number): string {
  return `${base.replace(/ · r\d+$/, '')} · r${revision}`;
}

export function pick<T>(items: readonly T[], random: () => number): T | undefined {
  return items.length === 0 ? undefined : items[Math.floor(random() * items.length)];
}
