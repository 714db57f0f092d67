// Fault injection for the record source: each request fails with a given probability, picking
// one of the kinds a real API shows on a bad day. Seeded, so a failing test can be repeated.
import { seededRandom } from './customers.ts';

export const faultKinds = ['500', '503', '429', 'timeout', 'reset', 'malformed'] as const;
export type FaultKind = (typeof faultKinds)[number];

export interface FaultSettings<Kind extends string = FaultKind> {
  rate: number;
  kinds?: Kind[];
  retryAfterSeconds?: number;
  /** How long a "timeout" holds the request before giving up on it (the client should give up first). */
  timeoutMs?: number;
  /** A delay before every answer; 0 answers at once. */
  latencyMs?: number;
  seed?: number;
}

export class FaultPlan<Kind extends string = FaultKind> {
  readonly settings: Required<FaultSettings<Kind>>;
  readonly #random: () => number;

  /** `defaultKinds` is needed only by plans whose kinds are not the record source's own. */
  constructor(
    settings: FaultSettings<Kind>,
    defaultKinds: readonly Kind[] = faultKinds as readonly string[] as Kind[],
  ) {
    this.settings = {
      rate: settings.rate,
      kinds: settings.kinds ?? [...defaultKinds],
      retryAfterSeconds: settings.retryAfterSeconds ?? 1,
      timeoutMs: settings.timeoutMs ?? 30_000,
      latencyMs: settings.latencyMs ?? 0,
      seed: settings.seed ?? 1,
    };
    this.#random = seededRandom(this.settings.seed);
  }

  /** The fault for the next request, or undefined when it is answered properly. */
  next(): Kind | undefined {
    if (this.#random() >= this.settings.rate) return undefined;
    const kinds = this.settings.kinds;
    return kinds[Math.floor(this.#random() * kinds.length)];
  }
}
