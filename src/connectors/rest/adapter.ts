// The generic REST connector's adapter: each entity is a paged collection described by data
// (path, records path, id field, pagination style, change-time filter, tombstone field).
import type { EntityCapabilities, IntegrationAdapter, SourceRecord, SyncRequest } from '../sdk/adapter.ts';
import { checkConnection } from '../sdk/connectionCheck.ts';
import type { AdapterRuntime } from '../sdk/connectorDefinition.ts';
import { ConnectorError } from '../sdk/connectorError.ts';
import { pagedWalk } from '../sdk/pagedWalk.ts';
import { fetchPage, type PageState } from '../sdk/pagination.ts';
import { readPath } from '../sdk/readPath.ts';
import { restAuth } from './auth.ts';
import type { RestConfig, RestCredentials, RestResource, TimeFormat } from './config.ts';

export function createRestAdapter(runtime: AdapterRuntime<RestConfig, RestCredentials>): IntegrationAdapter {
  const { config } = runtime;
  const http = runtime.http({
    baseUrl: config.baseUrl,
    auth: restAuth(config, runtime.credentials, runtime),
    timeoutMs: config.timeoutMs,
    headers: config.headers,
  });

  const resourceOf = (entity: string): RestResource => {
    const resource = config.resources[entity];
    if (!resource) {
      throw new ConnectorError(
        'config',
        `config.resources.${entity}: no endpoint is configured for "${entity}"`,
      );
    }
    return resource;
  };

  return {
    http,
    connect: async () => {},
    disconnect: async () => {},
    healthCheck: (signal) =>
      checkConnection(async () => {
        const response = await http.request({
          path: config.healthCheckPath,
          signal,
          maxWaitMs: 5_000,
          retry: false,
        });
        return {
          message: `reached ${new URL(config.baseUrl).host} (HTTP ${response.status})`,
          httpStatus: response.status,
        };
      }),
    capabilities: (entity): EntityCapabilities => {
      const resource = resourceOf(entity);
      return {
        incremental: resource.incremental !== undefined,
        deletions: resource.deletions ?? (resource.deletedField ? 'tombstones' : 'sweep'),
      };
    },
    sync: (request: SyncRequest) => {
      const resource = resourceOf(request.entity);
      const incremental = resource.incremental;
      return pagedWalk(
        {
          incremental: incremental !== undefined,
          lookbackMs: (incremental?.lookbackSeconds ?? 0) * 1000,
          fetchPage: (page: PageState | null, since: string | undefined, signal: AbortSignal) =>
            fetchPage(
              http,
              resource.pagination,
              {
                path: resource.path,
                query: {
                  ...resource.query,
                  ...(incremental && since
                    ? { [incremental.param]: formatTime(since, incremental.format) }
                    : {}),
                },
                recordsPath: resource.recordsPath,
                conditional: resource.conditional,
                signal,
              },
              page,
            ),
          toRecord: (raw) => toSourceRecord(raw, resource),
          changedAt: (raw) => (incremental ? readTime(readPath(raw, incremental.updatedField)) : undefined),
        },
        request,
      );
    },
  };
}

function toSourceRecord(raw: unknown, resource: RestResource): SourceRecord {
  const id = readPath(raw, resource.idField);
  const deleted = resource.deletedField ? readPath(raw, resource.deletedField) === true : false;
  return {
    externalId: typeof id === 'string' || typeof id === 'number' ? String(id) : '',
    data: raw,
    ...(deleted ? { deleted } : {}),
  };
}

function formatTime(iso: string, format: TimeFormat): string {
  const ms = Date.parse(iso);
  switch (format) {
    case 'iso':
      return iso;
    case 'unix':
      return String(Math.floor(ms / 1000));
    case 'unixMs':
      return String(ms);
    case 'YYYY-MM-DD':
      return iso.slice(0, 10);
    case 'YYYY/MM/DD':
      return iso.slice(0, 10).replaceAll('-', '/');
  }
}

/** A change time as normalised ISO 8601 (UTC), so times compare as strings. */
function readTime(value: unknown): string | undefined {
  if (typeof value === 'number') {
    return new Date(value > 100_000_000_000 ? value : value * 1000).toISOString();
  }
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
