// The Salesforce adapter: SOQL in batches (nextRecordsUrl), changes by SystemModstamp, OAuth2
// with refresh on INVALID_SESSION_ID, the daily limit read from Sforce-Limit-Info, and
// 403 REQUEST_LIMIT_EXCEEDED for a spent daily quota (the run waits, it does not fail) told apart
// from the same 403 for too many concurrent requests (retried with backoff). A query
// locator Salesforce has dropped (INVALID_QUERY_LOCATOR, after 15 minutes unused, e.g. across that
// wait) makes the walk run its query again from the start.

import type { EntityCapabilities, IntegrationAdapter, SyncRequest } from '../sdk/adapter.ts';
import { checkConnection } from '../sdk/connectionCheck.ts';
import type { AdapterRuntime } from '../sdk/connectorDefinition.ts';
import { ConnectorError } from '../sdk/connectorError.ts';
import type { HttpResponse } from '../sdk/httpClient.ts';
import { pagedWalk } from '../sdk/pagedWalk.ts';
import { fetchPage, type PageState } from '../sdk/pagination.ts';
import type { HeaderBag } from '../sdk/rateLimitHeaders.ts';
import { type SalesforceConfig, type SalesforceCredentials, salesforceEntities } from './config.ts';

/** Salesforce counts its daily limit over a rolling 24 hours; an hour is a fair first wait. */
const QUOTA_WAIT_MS = 3_600_000;

/** Salesforce no longer knows the nextRecordsUrl of a query. */
class LostQueryLocator extends ConnectorError {}

export function createSalesforceAdapter(
  runtime: AdapterRuntime<SalesforceConfig, SalesforceCredentials>,
): IntegrationAdapter {
  const { config } = runtime;
  const api = `/services/data/${config.apiVersion}`;
  const http = runtime.http({
    baseUrl: config.instanceUrl,
    auth: runtime.oauth2({
      tokenUrl: `${config.loginUrl.replace(/\/$/, '')}/services/oauth2/token`,
      clientId: config.clientId,
      clientAuth: 'post',
    }),
    timeoutMs: config.timeoutMs,
    headers: { 'sforce-query-options': `batchSize=${config.batchSize}` },
    rateLimitHint: dailyUsage,
    classify: (response) => limitExceeded(response) ?? lostQueryLocator(response),
  });

  const entityOf = (entity: string) => {
    const known = salesforceEntities[entity as keyof typeof salesforceEntities];
    if (!known) throw new ConnectorError('config', `the Salesforce connector has no entity "${entity}"`);
    return known;
  };

  return {
    http,
    connect: async () => {},
    disconnect: async () => {},
    // Two-way sync: sObject rows read and updated by id (PATCH answers 204, so the row is read again).
    read: async (entity, externalId, signal) => {
      const response = await http.request({
        path: `${api}/sobjects/${entityOf(entity).object}/${encodeURIComponent(externalId)}`,
        query: { fields: entityOf(entity).fields.join(',') },
        signal,
        parseJson: true,
        passClientErrors: true,
      });
      if (response.status === 404) return null;
      if (response.status >= 400)
        throw new ConnectorError('permanent', `Salesforce refused the read (${response.status})`);
      const row = response.json<Record<string, unknown> & { Id: string; SystemModstamp?: string }>();
      return { externalId: row.Id, data: row, modifiedAt: row.SystemModstamp };
    },
    write: async (entity, externalId, patch, signal) => {
      await http.request({
        method: 'PATCH',
        path: `${api}/sobjects/${entityOf(entity).object}/${encodeURIComponent(externalId)}`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(patch),
        signal,
      });
      const stored = await http.request({
        path: `${api}/sobjects/${entityOf(entity).object}/${encodeURIComponent(externalId)}`,
        query: { fields: entityOf(entity).fields.join(',') },
        signal,
        parseJson: true,
      });
      const row = stored.json<Record<string, unknown> & { Id: string; SystemModstamp?: string }>();
      return { externalId: row.Id, data: row, modifiedAt: row.SystemModstamp };
    },
    healthCheck: (signal) =>
      checkConnection(async () => {
        const response = await http.request({
          path: `${api}/limits`,
          signal,
          retry: false,
          maxWaitMs: 5_000,
        });
        return { message: 'Salesforce answered', httpStatus: response.status };
      }),
    capabilities: (entity): EntityCapabilities => {
      entityOf(entity);
      return { incremental: true, deletions: 'sweep' };
    },
    sync: (request: SyncRequest) => {
      const { object, fields } = entityOf(request.entity);
      return pagedWalk(
        {
          incremental: true,
          lookbackMs: config.lookbackSeconds * 1000,
          fetchPage: async (page: PageState | null, since: string | undefined, signal: AbortSignal) => {
            const where = since ? ` WHERE SystemModstamp > ${since}` : '';
            const order = since ? 'SystemModstamp' : 'Id';
            const query = (from: PageState | null) =>
              fetchPage(
                http,
                { style: 'nextUrl', nextUrlPath: 'nextRecordsUrl' },
                {
                  path: `${api}/query`,
                  query: { q: `SELECT ${fields.join(', ')} FROM ${object}${where} ORDER BY ${order} ASC` },
                  recordsPath: 'records',
                  signal,
                },
                from,
              );
            try {
              return await query(page);
            } catch (error) {
              if (!(error instanceof LostQueryLocator) || page === null) throw error;
              // The same query in the same order: the records already read come again, unchanged.
              runtime.logger.info(
                { entity: request.entity },
                'the query locator expired (INVALID_QUERY_LOCATOR); the query runs again from its start',
              );
              return query(null);
            }
          },
          toRecord: (raw) => {
            const { attributes: _attributes, ...record } = raw as Record<string, unknown>;
            return { externalId: String(record.Id ?? ''), data: record };
          },
          changedAt: (raw) => {
            const stamp = (raw as { SystemModstamp?: unknown }).SystemModstamp;
            // Salesforce writes offsets without a colon (+0000).
            const ms =
              typeof stamp === 'string'
                ? Date.parse(stamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'))
                : Number.NaN;
            return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
          },
        },
        request,
      );
    },
  };
}

/** Sforce-Limit-Info: api-usage=18/5000 */
function dailyUsage(headers: HeaderBag) {
  const raw = headers['sforce-limit-info'];
  const match = /api-usage=(\d+)\/(\d+)/.exec(Array.isArray(raw) ? (raw[0] ?? '') : (raw ?? ''));
  if (!match) return undefined;
  return { remaining: Math.max(0, Number(match[2]) - Number(match[1])), resetMs: undefined };
}

/**
 * Salesforce answers both of its request limits with 403 REQUEST_LIMIT_EXCEEDED, not 429: the
 * daily budget ("TotalRequests Limit exceeded", waited out) and too many long requests at once
 * ("ConcurrentPerOrgLongTxn Limit exceeded", gone again in seconds, retried with backoff). A
 * message naming neither counts as the daily budget only when Sforce-Limit-Info says it is spent.
 */
function limitExceeded(response: HttpResponse): ConnectorError | undefined {
  if (response.status !== 403) return undefined;
  const text = response.text();
  if (!text.includes('REQUEST_LIMIT_EXCEEDED')) return undefined;
  const usage = dailyUsage(response.headers);
  const daily = /TotalRequests/i.test(text) || (!/Concurrent/i.test(text) && usage?.remaining === 0);
  if (!daily) {
    return new ConnectorError(
      'rate_limited',
      'Salesforce: too many requests at once (REQUEST_LIMIT_EXCEEDED, concurrent request limit)',
      { httpStatus: 403 },
    );
  }
  return new ConnectorError(
    'rate_limited',
    'Salesforce: the daily API request limit is spent (REQUEST_LIMIT_EXCEEDED)',
    {
      httpStatus: 403,
      retryAfterMs: QUOTA_WAIT_MS,
      quotaResetsAt: new Date(Date.now() + QUOTA_WAIT_MS),
    },
  );
}

function lostQueryLocator(response: HttpResponse): ConnectorError | undefined {
  if (response.status < 400 || response.status >= 500) return undefined;
  if (!response.text().includes('INVALID_QUERY_LOCATOR')) return undefined;
  return new LostQueryLocator('permanent', 'Salesforce: the query locator expired (INVALID_QUERY_LOCATOR)', {
    httpStatus: response.status,
  });
}
