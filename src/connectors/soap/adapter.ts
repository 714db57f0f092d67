// The generic SOAP adapter: calls each entity's list operation page by page, with the newest
// change time it has seen as the "changed since" argument of the next sync. The soap package's
// HTTP goes through the SDK's client, so auth, the integration's rate limit, retries (Retry-After
// included), the circuit breaker and the request log apply to every call and to the WSDL.
import type { EntityCapabilities, IntegrationAdapter, SyncBatch, SyncRequest } from '../sdk/adapter.ts';
import { noAuth } from '../sdk/auth/authProvider.ts';
import { checkConnection } from '../sdk/connectionCheck.ts';
import type { AdapterRuntime } from '../sdk/connectorDefinition.ts';
import { ConnectorError, toConnectorError } from '../sdk/connectorError.ts';
import type { ConnectorHttpClient } from '../sdk/httpClient.ts';
import { readPath } from '../sdk/readPath.ts';
import {
  classifySoapAnswer,
  openSoapSession,
  SoapFault,
  type SoapSession,
  type SoapTransport,
  sendsCredentials,
  soapHttpAuth,
} from './client.ts';
import type { SoapConfig, SoapCredentials, SoapEntity } from './config.ts';

interface SoapState {
  /** The newest change time (ISO) of a finished pass: the next "changed since". */
  highWater?: string;
  /** The pass under way, and where it goes on: the next page number or offset. */
  pass?: 'full' | 'incremental';
  position?: number;
  since?: string | number;
  seenMax?: string;
}

export function createSoapAdapter(runtime: AdapterRuntime<SoapConfig, SoapCredentials>): IntegrationAdapter {
  const { config, credentials } = runtime;
  const auth = soapHttpAuth(config, credentials);
  const clients = new Map<string, ConnectorHttpClient>();
  const httpFor = (origin: string, withCredentials: boolean) => {
    const key = `${withCredentials} ${origin}`;
    let client = clients.get(key);
    if (!client) {
      client = runtime.http({
        baseUrl: origin,
        auth: withCredentials ? auth : noAuth,
        timeoutMs: config.timeoutMs,
        headers: config.headers,
        classify: (response) =>
          classifySoapAnswer(
            { status: response.status, headers: response.headers, body: response.text() },
            config.faults,
          ),
      });
      clients.set(key, client);
    }
    return client;
  };
  const transport: SoapTransport = async (exchange) => {
    const response = await httpFor(exchange.url.origin, sendsCredentials(exchange, config.wsdlUrl)).request({
      method: exchange.method,
      path: exchange.url.toString(),
      headers: exchange.headers,
      ...(exchange.body !== undefined ? { body: exchange.body } : {}),
      // The configured operations list records: repeating one is safe.
      retry: true,
      ...(exchange.signal ? { signal: exchange.signal } : {}),
    });
    return { status: response.status, headers: response.headers, body: response.text() };
  };

  let session: Promise<SoapSession> | undefined;
  const open = (signal: AbortSignal): Promise<SoapSession> => {
    if (!session) {
      const opening = openSoapSession(config, credentials, transport, signal);
      session = opening;
      opening.catch(() => {
        if (session === opening) session = undefined;
      });
    }
    return session;
  };

  const entityOf = (entity: string): SoapEntity => {
    const found = config.entities[entity];
    if (!found)
      throw new ConnectorError(
        'config',
        `config.entities.${entity}: no operation is configured for "${entity}"`,
      );
    return found;
  };

  return {
    http: httpFor(new URL(config.endpoint ?? config.wsdlUrl).origin, true),
    connect: async () => {},
    disconnect: async () => {},
    healthCheck: (signal) => checkConnection(() => probeSoap(config, open(signal), signal), soapFailure),
    capabilities: (entity): EntityCapabilities => {
      const found = entityOf(entity);
      return { incremental: Boolean(found.changedSince && found.updatedField), deletions: found.deletions };
    },
    sync: (request) => walk(request, entityOf(request.entity)),
  };

  async function* walk(request: SyncRequest, entity: SoapEntity): AsyncGenerator<SyncBatch> {
    const state = request.state as SoapState;
    const soap = await open(request.signal);
    const incremental = Boolean(entity.changedSince && entity.updatedField);
    const resuming = state.pass !== undefined && (request.mode === 'incremental' || state.pass === 'full');
    let pass: 'full' | 'incremental' = resuming
      ? (state.pass ?? 'full')
      : request.mode === 'incremental' && incremental && state.highWater
        ? 'incremental'
        : 'full';
    let position = resuming ? (state.position ?? firstPosition(entity)) : firstPosition(entity);
    let since = pass === 'full' ? undefined : resuming ? state.since : changedSince(entity, state.highWater);
    let seenMax = resuming ? state.seenMax : undefined;
    for (;;) {
      let result: unknown;
      try {
        result = await soap.call(
          entity.operation,
          operationArguments(entity, position, since),
          request.signal,
          entity,
        );
      } catch (error) {
        if (error instanceof SoapFault && error.resync && pass === 'incremental') {
          runtime.logger.info(
            { entity: request.entity, fault: error.faultcode },
            'the source cannot list changes that far back; starting a full pass',
          );
          pass = 'full';
          position = firstPosition(entity);
          since = undefined;
          seenMax = undefined;
          continue;
        }
        throw error;
      }
      const records = recordsOf(result, entity);
      const changes = entity.updatedField
        ? records.map((raw) => readPath(raw, entity.updatedField ?? ''))
        : [];
      seenMax = newest(seenMax, changes);
      const done = isLastPage(entity, position, records.length, result);
      position = nextPosition(entity, position, records.length);
      const highWater = newest(state.highWater, [seenMax]);
      const next: SoapState = done
        ? highWater
          ? { highWater }
          : {}
        : {
            pass,
            position,
            ...(since !== undefined ? { since } : {}),
            ...(seenMax ? { seenMax } : {}),
            ...(state.highWater ? { highWater: state.highWater } : {}),
          };
      yield {
        records: records.map((raw) => ({
          externalId: String(readPath(raw, entity.idField) ?? ''),
          data: raw,
        })),
        state: next as Record<string, unknown>,
        pass,
        fullPassComplete: done && pass === 'full',
        final: done,
      };
      if (done) return;
    }
  }
}

/** Opens the WSDL and, when an entity is configured, asks the first one for one record. */
export async function probeSoap(
  config: SoapConfig,
  opening: Promise<SoapSession>,
  signal: AbortSignal,
): Promise<string> {
  const soap = await opening;
  const host = new URL(config.endpoint ?? config.wsdlUrl).host;
  const first = Object.values(config.entities)[0];
  if (!first) return `read the WSDL at ${new URL(config.wsdlUrl).host}`;
  await soap.call(
    first.operation,
    operationArguments(first, firstPosition(first), undefined, 1),
    signal,
    first,
  );
  return `${first.operation} answered at ${host}`;
}

/** A failed SOAP check as the error taxonomy names it. */
export const soapFailure = (error: unknown) => toConnectorError(error, 'SOAP');

function firstPosition(entity: SoapEntity): number {
  return entity.paging.style === 'page' ? entity.paging.firstPage : 0;
}

function nextPosition(entity: SoapEntity, position: number, received: number): number {
  return entity.paging.style === 'page' ? position + 1 : position + received;
}

function operationArguments(
  entity: SoapEntity,
  position: number,
  since: string | number | undefined,
  pageSize?: number,
): Record<string, unknown> {
  const args = structuredClone(entity.arguments);
  const { paging } = entity;
  if (paging.style === 'page') {
    setPath(args, paging.pageArgument, position);
    setPath(args, paging.sizeArgument, pageSize ?? paging.pageSize);
  } else if (paging.style === 'offset') {
    setPath(args, paging.offsetArgument, position);
    setPath(args, paging.limitArgument, pageSize ?? paging.pageSize);
  }
  if (since !== undefined && entity.changedSince) setPath(args, entity.changedSince.argument, since);
  return args;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const segments = path.split('.');
  let current = target;
  for (const segment of segments.slice(0, -1)) {
    const inner = current[segment];
    current[segment] = inner && typeof inner === 'object' ? inner : {};
    current = current[segment] as Record<string, unknown>;
  }
  current[segments.at(-1) as string] = value;
}

/** The value of the changed-since argument: the high-water mark less the lookback, as configured. */
function changedSince(entity: SoapEntity, highWater: string | undefined): string | number | undefined {
  if (!highWater || !entity.changedSince) return undefined;
  const at = new Date(Date.parse(highWater) - entity.changedSince.lookbackSeconds * 1000);
  switch (entity.changedSince.format) {
    case 'iso':
      return at.toISOString();
    case 'date':
      return at.toISOString().slice(0, 10);
    case 'unix':
      return Math.floor(at.getTime() / 1000);
  }
}

/** XML has no lists: one record comes as an object, none as nothing at all. */
function recordsOf(result: unknown, entity: SoapEntity): unknown[] {
  const found = readPath(result, entity.resultPath);
  if (found === undefined || found === null || found === '') return [];
  return Array.isArray(found) ? found : [found];
}

function isLastPage(entity: SoapEntity, position: number, received: number, result: unknown): boolean {
  const { paging } = entity;
  if (paging.style === 'none' || received === 0) return true;
  const total = entity.totalPath ? Number(readPath(result, entity.totalPath)) : Number.NaN;
  if (!Number.isFinite(total)) return received < paging.pageSize;
  const before = paging.style === 'page' ? (position - paging.firstPage) * paging.pageSize : position;
  return before + received >= total;
}

/** The newest of a known time and the given change times, as ISO. */
function newest(known: string | undefined, values: unknown[]): string | undefined {
  let best = known ? Date.parse(known) : Number.NaN;
  for (const value of values) {
    const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    if (Number.isFinite(time) && (Number.isNaN(best) || time > best)) best = time;
  }
  return Number.isFinite(best) ? new Date(best).toISOString() : undefined;
}
