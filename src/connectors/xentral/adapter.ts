// The Xentral adapter: each entity is a collection paged with page[number]/page[size] and
// `links.next`; incremental syncs filter on updatedAt (filter[0][op]=greaterThan) in updatedAt
// order. The SDK's client applies the bearer token, the 100-a-minute limit and X-RateLimit-* headers.
// Customers carry their addresses (customerAddresses.ts) unless config.customerAddresses is off.

import type { EntityCapabilities, IntegrationAdapter, SourceRecord, SyncRequest } from '../sdk/adapter.ts';
import { bearerAuth } from '../sdk/auth/authProvider.ts';
import { checkConnection } from '../sdk/connectionCheck.ts';
import type { AdapterRuntime } from '../sdk/connectorDefinition.ts';
import { ConnectorError } from '../sdk/connectorError.ts';
import { pagedWalk } from '../sdk/pagedWalk.ts';
import { fetchPage, type PageState } from '../sdk/pagination.ts';
import {
  XENTRAL_MEDIA_TYPE,
  type XentralConfig,
  type XentralCredentials,
  xentralEntities,
} from './config.ts';
import { customerAddresses } from './customerAddresses.ts';

export function createXentralAdapter(
  runtime: AdapterRuntime<XentralConfig, XentralCredentials>,
): IntegrationAdapter {
  const { config } = runtime;
  const http = runtime.http({
    baseUrl: config.baseUrl,
    auth: bearerAuth(runtime.credentials.token),
    timeoutMs: config.timeoutMs,
    headers: { accept: XENTRAL_MEDIA_TYPE },
  });

  const addresses = customerAddresses(http, {
    concurrency: config.addressConcurrency,
    logger: runtime.logger,
  });
  const withCustomerAddresses = async (entity: string, record: SourceRecord, signal: AbortSignal) =>
    entity === 'customer' && config.customerAddresses
      ? ((await addresses.embed([record], signal))[0] ?? record)
      : record;

  const pathOf = (entity: string) => {
    const known = xentralEntities[entity as keyof typeof xentralEntities];
    if (!known) throw new ConnectorError('config', `Xentral has no entity "${entity}"`);
    return known.path;
  };

  return {
    http,
    connect: async () => {},
    disconnect: async () => {},
    healthCheck: (signal) =>
      checkConnection(async () => {
        const response = await http.request({
          path: xentralEntities.customer.path,
          query: { 'page[size]': 1 },
          signal,
          retry: false,
          maxWaitMs: 5_000,
        });
        return { message: `Xentral answered (HTTP ${response.status})`, httpStatus: response.status };
      }),
    capabilities: (entity): EntityCapabilities => {
      pathOf(entity);
      // Xentral has no deletion feed: deletions are found by the sweep after a full pass.
      return { incremental: true, deletions: 'sweep' };
    },
    // Two-way sync writes customers back (PATCH, answered with the stored record).
    read: async (entity, externalId, signal) => {
      const response = await http.request({
        path: `${pathOf(entity)}/${encodeURIComponent(externalId)}`,
        signal,
        parseJson: true,
        passClientErrors: true,
      });
      if (response.status === 404) return null;
      if (response.status >= 400)
        throw new ConnectorError('permanent', `Xentral refused the read (${response.status})`);
      return withCustomerAddresses(
        entity,
        xentralRecord(response.json<{ data: XentralRecordData }>().data),
        signal,
      );
    },
    write: async (entity, externalId, patch, signal) => {
      if (entity !== 'customer') throw new ConnectorError('config', `Xentral ${entity} is read-only here`);
      const response = await http.request({
        method: 'PATCH',
        path: `${pathOf(entity)}/${encodeURIComponent(externalId)}`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(patch),
        signal,
        parseJson: true,
      });
      // The answer has no addresses: without them the stored record would lose its address.
      return withCustomerAddresses(
        entity,
        xentralRecord(response.json<{ data: XentralRecordData }>().data),
        signal,
      );
    },
    sync: (request: SyncRequest) => {
      const path = pathOf(request.entity);
      const batches = pagedWalk(
        {
          incremental: true,
          lookbackMs: config.lookbackSeconds * 1000,
          fetchPage: (page: PageState | null, since: string | undefined, signal: AbortSignal) =>
            fetchPage(
              http,
              {
                style: 'nextUrl',
                nextUrlPath: 'links.next',
                limitParam: 'page[size]',
                pageSize: config.pageSize,
              },
              {
                path,
                query: since
                  ? {
                      'filter[0][key]': 'updatedAt',
                      'filter[0][op]': 'greaterThan',
                      'filter[0][value]': since,
                      'order[0][field]': 'updatedAt',
                      'order[0][dir]': 'ASC',
                    }
                  : { 'order[0][field]': 'id', 'order[0][dir]': 'ASC' },
                recordsPath: 'data',
                signal,
              },
              page,
            ),
          toRecord: (raw) => ({ externalId: String((raw as { id?: unknown }).id ?? ''), data: raw }),
          changedAt: (raw) => {
            const value = (raw as { updatedAt?: unknown }).updatedAt;
            const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
            return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
          },
        },
        request,
      );
      return request.entity === 'customer' && config.customerAddresses
        ? addresses.embedInBatches(batches, request.signal)
        : batches;
    },
  };
}

type XentralRecordData = { id?: unknown; updatedAt?: unknown };

function xentralRecord(raw: XentralRecordData): SourceRecord {
  return {
    externalId: String(raw.id ?? ''),
    data: raw,
    ...(typeof raw.updatedAt === 'string' ? { modifiedAt: raw.updatedAt } : {}),
  };
}
