// A customer's addresses, embedded in the customer record. Xentral lists them only per customer
// (GET /customers/{id}/addresses): there is no address list across customers, and no change
// filter on it is documented (unconfirmed). So the customer sync fetches the addresses of exactly
// the customers it reads, all of them in a full pass and the changed ones in an incremental one.
// This relies on an address change moving the customer's updatedAt, which is unconfirmed too.
import type { Logger } from '../../observability/logger.ts';
import type { SourceRecord, SyncBatch } from '../sdk/adapter.ts';
import { ConnectorError } from '../sdk/connectorError.ts';
import type { ConnectorHttpClient } from '../sdk/httpClient.ts';
import { xentralEntities } from './config.ts';

export type XentralAddress = Record<string, unknown>;

export interface CustomerAddresses {
  /** The records with their addresses as `addresses` (Xentral's list) and `addressesByType`. */
  embed(records: SourceRecord[], signal: AbortSignal): Promise<SourceRecord[]>;
  /** The customer sync's batches, each with its customers' addresses embedded. */
  embedInBatches(batches: AsyncIterable<SyncBatch>, signal: AbortSignal): AsyncGenerator<SyncBatch>;
}

const ADDRESS_PAGE_SIZE = 50;

export function customerAddresses(
  http: ConnectorHttpClient,
  options: { concurrency: number; logger: Logger },
): CustomerAddresses {
  const embed = async (records: SourceRecord[], signal: AbortSignal) => {
    const unknown: string[] = [];
    const embedded = await mapConcurrently(records, options.concurrency, async (record) => {
      if (record.deleted) return record;
      const addresses = await fetchAddresses(http, record.externalId, signal);
      if (!addresses) unknown.push(record.externalId);
      return { ...record, data: withAddresses(record.data, addresses ?? []) };
    });
    if (unknown.length > 0) {
      // Most likely deleted since the page was read; a full pass sweeps it then.
      options.logger.warn({ customers: unknown }, "Xentral answered 404 for these customers' addresses");
    }
    return embedded;
  };
  return {
    embed,
    async *embedInBatches(batches, signal) {
      for await (const batch of batches) yield { ...batch, records: await embed(batch.records, signal) };
    },
  };
}

/** Every address of one customer, over all pages; undefined when Xentral does not know the customer. */
export async function fetchAddresses(
  http: ConnectorHttpClient,
  customerId: string,
  signal: AbortSignal,
): Promise<XentralAddress[] | undefined> {
  const addresses: XentralAddress[] = [];
  let path: string | undefined =
    `${xentralEntities.customer.path}/${encodeURIComponent(customerId)}/addresses`;
  let query: Record<string, number> = { 'page[size]': ADDRESS_PAGE_SIZE };
  while (path) {
    const response = await http.request({ path, query, signal, parseJson: true, passClientErrors: true });
    if (response.status === 404) return undefined;
    if (response.status >= 400) {
      throw new ConnectorError(
        'permanent',
        `Xentral refused the addresses of customer ${customerId} (HTTP ${response.status})`,
        { httpStatus: response.status },
      );
    }
    const body = response.json<{ data?: unknown; links?: { next?: unknown } }>();
    if (!Array.isArray(body.data)) {
      throw new ConnectorError('permanent', `Xentral's addresses of customer ${customerId} are not a list`);
    }
    addresses.push(...(body.data as XentralAddress[]));
    const next = body.links?.next;
    // The next link carries the page parameters itself.
    path = typeof next === 'string' && next !== '' && body.data.length > 0 ? next : undefined;
    query = {};
  }
  return addresses;
}

/**
 * A mapping path cannot select by a field's value, so the addresses are also grouped by their
 * type: `addressesByType.billing[0].street` is the first billing address.
 */
export function withAddresses(customer: unknown, addresses: XentralAddress[]): Record<string, unknown> {
  const byType = new Map<string, XentralAddress[]>();
  for (const address of addresses) {
    const type = typeof address.type === 'string' && address.type !== '' ? address.type : 'other';
    byType.set(type, [...(byType.get(type) ?? []), address]);
  }
  return {
    ...(customer as Record<string, unknown>),
    addresses,
    addressesByType: Object.fromEntries(byType),
  };
}

/** Runs work over the items, at most `limit` at a time, in their order; the first failure stops it. */
async function mapConcurrently<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index] as T);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
