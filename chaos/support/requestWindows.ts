// What a source saw of one integration's requests over time, measured at the source: the
// requests in each rate-limit window (the hub's limiter counts fixed windows from the first
// request it lets through), and the most in any sliding window of the same length.
import type { RecordSource } from '../../sandbox/recordSource/index.ts';

export class RequestWindows {
  readonly #times: number[] = [];

  /** Starts counting every request that reaches the source. */
  constructor(source: RecordSource) {
    source.onRequest(() => {
      this.#times.push(Date.now());
    });
  }

  get count(): number {
    return this.#times.length;
  }

  /** Requests per fixed window from the first one, e.g. [60, 60, 12] for 60 s windows. */
  perWindow(windowMs: number): number[] {
    const first = this.#times[0];
    if (first === undefined) return [];
    const counts: number[] = [];
    for (const time of this.#times) {
      const index = Math.floor((time - first) / windowMs);
      counts[index] = (counts[index] ?? 0) + 1;
    }
    return Array.from(counts, (count) => count ?? 0);
  }

  /** The most requests in any window of this length (a fixed-window limit allows up to twice it across a boundary). */
  busiestSlidingWindow(windowMs: number): number {
    let most = 0;
    let start = 0;
    for (let end = 0; end < this.#times.length; end++) {
      while ((this.#times[end] as number) - (this.#times[start] as number) >= windowMs) start += 1;
      most = Math.max(most, end - start + 1);
    }
    return most;
  }
}
