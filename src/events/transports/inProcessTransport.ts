// Handlers inside the hub process: a module registers a function by name, and a subscription of
// kind "in-process" names it. Delivery is as durable as for any other subscriber: the handler
// is called until it returns without throwing.
import type { AttemptResult, DeliveryTarget, OutboundEvent, Transport } from './transport.ts';

export type EventHandler = (event: OutboundEvent) => Promise<void> | void;

export class InProcessTransport implements Transport {
  readonly #handlers = new Map<string, EventHandler>();

  register(name: string, handler: EventHandler): void {
    this.#handlers.set(name, handler);
  }

  names(): string[] {
    return [...this.#handlers.keys()];
  }

  async deliver(event: OutboundEvent, target: DeliveryTarget): Promise<AttemptResult> {
    const handler = target.handler ? this.#handlers.get(target.handler) : undefined;
    if (!handler) return { ok: false, status: null, error: `no handler "${target.handler}" in this process` };
    try {
      await handler(event);
      return { ok: true, status: null };
    } catch (error) {
      return { ok: false, status: null, error: (error as Error).message.slice(0, 500) };
    }
  }

  async close(): Promise<void> {}
}
