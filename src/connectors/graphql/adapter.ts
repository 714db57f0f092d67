// The generic GraphQL adapter: POSTs a query per page, reads records and the next cursor from
// configured paths, and treats errors inside an HTTP 200 answer as what they are (a complexity
// or rate limit error is rate_limited, an expired cursor starts the pass again, anything else
// permanent).

import type { EntityCapabilities, IntegrationAdapter, SyncBatch, SyncRequest } from '../sdk/adapter.ts';
import { apiKeyAuth, bearerAuth, noAuth } from '../sdk/auth/authProvider.ts';
import { checkConnection } from '../sdk/connectionCheck.ts';
import type { AdapterRuntime } from '../sdk/connectorDefinition.ts';
import { ConnectorError } from '../sdk/connectorError.ts';
import type { HttpResponse } from '../sdk/httpClient.ts';
import { readPath } from '../sdk/readPath.ts';
import type { GraphqlConfig, GraphqlCredentials, GraphqlResource } from './config.ts';

/** A pass that keeps outliving its cursors would never end: after this many restarts it fails. */
const MAX_PASS_RESTARTS = 3;

/** The source no longer knows the cursor of a page. */
class CursorExpired extends ConnectorError {}

interface GraphqlAnswer {
  data?: unknown;
  errors?: { message?: string; extensions?: { code?: string; retry_in_seconds?: number } }[];
}

export function createGraphqlAdapter(
  runtime: AdapterRuntime<GraphqlConfig, GraphqlCredentials>,
): IntegrationAdapter {
  const { config, credentials } = runtime;
  const endpoint = new URL(config.endpoint);
  const auth =
    config.auth.kind === 'apiKey'
      ? apiKeyAuth(credentials.apiKey ?? '', { header: config.auth.headerName })
      : config.auth.kind === 'bearer'
        ? bearerAuth(credentials.token ?? '')
        : noAuth;
  const http = runtime.http({
    baseUrl: endpoint.origin,
    auth,
    timeoutMs: config.timeoutMs,
    headers: config.headers,
    classify: (response) => graphqlFailure(response, config),
  });

  const post = async (query: string, variables: Record<string, unknown>, signal?: AbortSignal) => {
    const response = await http.request({
      method: 'POST',
      path: endpoint.pathname + endpoint.search,
      json: { query, variables },
      // A query reads only: repeating it is safe.
      retry: true,
      parseJson: true,
      ...(signal ? { signal } : {}),
    });
    return response.json<GraphqlAnswer>().data;
  };

  const resourceOf = (entity: string): GraphqlResource => {
    const resource = config.resources[entity];
    if (!resource)
      throw new ConnectorError(
        'config',
        `config.resources.${entity}: no query is configured for "${entity}"`,
      );
    return resource;
  };

  return {
    http,
    connect: async () => {},
    disconnect: async () => {},
    healthCheck: (signal) =>
      checkConnection(async () => {
        await post('{ __typename }', {}, signal);
        return `reached ${endpoint.host}`;
      }),
    capabilities: (entity): EntityCapabilities => {
      resourceOf(entity);
      return { incremental: false, deletions: 'sweep' };
    },
    sync: (request: SyncRequest) => walk(request, resourceOf(request.entity)),
  };

  /** A full pass in cursor pages; the checkpoint is the next cursor. */
  async function* walk(request: SyncRequest, resource: GraphqlResource): AsyncGenerator<SyncBatch> {
    let cursor = typeof request.state.cursor === 'string' ? request.state.cursor : undefined;
    let restarts = 0;
    for (;;) {
      const first = cursor === undefined;
      const query = first ? resource.query : (resource.nextQuery ?? resource.query);
      let data: unknown;
      try {
        data = await post(
          query,
          { ...resource.variables, limit: resource.pageSize, ...(first ? {} : { cursor }) },
          request.signal,
        );
      } catch (error) {
        // A resumed run's checkpoint (or a slow pass) may hold a cursor the source has dropped:
        // only a new pass from the first page gets a valid one. Pages read again land as unchanged.
        if (!(error instanceof CursorExpired) || first || restarts >= MAX_PASS_RESTARTS) throw error;
        restarts += 1;
        runtime.logger.info(
          { entity: request.entity, restarts },
          'the cursor expired; the pass starts again from the first page',
        );
        cursor = undefined;
        continue;
      }
      const records = readPath(
        data,
        first ? resource.recordsPath : (resource.nextRecordsPath ?? resource.recordsPath),
      );
      const next = readPath(
        data,
        first ? resource.cursorPath : (resource.nextCursorPath ?? resource.cursorPath),
      );
      if (!Array.isArray(records)) {
        throw new ConnectorError(
          'permanent',
          `the answer has no list at ${first ? resource.recordsPath : (resource.nextRecordsPath ?? resource.recordsPath)}`,
        );
      }
      cursor = typeof next === 'string' && next.length > 0 ? next : undefined;
      const done = cursor === undefined;
      yield {
        records: records.map((raw) => ({
          externalId: String(readPath(raw, resource.idField) ?? ''),
          data: raw,
        })),
        state: done ? {} : { cursor },
        pass: 'full',
        fullPassComplete: done,
        final: done,
      };
      if (done) return;
    }
  }
}

/** GraphQL reports failures inside an HTTP 200: read them. */
function graphqlFailure(
  response: HttpResponse,
  config: Pick<GraphqlConfig, 'rateLimitCodes' | 'cursorExpiredCodes'>,
): ConnectorError | undefined {
  if (response.status !== 200) return undefined;
  let answer: GraphqlAnswer;
  try {
    answer = response.json<GraphqlAnswer>();
  } catch {
    return undefined;
  }
  const error = answer.errors?.[0];
  if (!error) return undefined;
  const code = error.extensions?.code;
  if (code && config.cursorExpiredCodes.includes(code)) {
    return new CursorExpired('permanent', `GraphQL: ${code}: ${error.message ?? ''}`.trim(), {
      httpStatus: 200,
    });
  }
  if (code && config.rateLimitCodes.includes(code)) {
    const seconds = error.extensions?.retry_in_seconds;
    return new ConnectorError('rate_limited', `GraphQL: ${code}: ${error.message ?? ''}`.trim(), {
      httpStatus: 200,
      retryAfterMs: typeof seconds === 'number' ? seconds * 1000 : 5_000,
    });
  }
  return new ConnectorError('permanent', `GraphQL: ${error.message ?? code ?? 'error'}`, { httpStatus: 200 });
}
