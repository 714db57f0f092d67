// The Microsoft Graph adapter: delta queries. A pass follows @odata.nextLink pages and ends with
// an @odata.deltaLink, which the next sync follows for changes ("@removed" items are deletions).
// 410 Gone means the delta state expired: a full pass starts at once, ended by a sweep. Graph
// retires a refresh token each time it is used; the SDK stores the new one before using it.

import type { EntityCapabilities, IntegrationAdapter, SyncBatch, SyncRequest } from '../sdk/adapter.ts';
import { checkConnection } from '../sdk/connectionCheck.ts';
import type { AdapterRuntime } from '../sdk/connectorDefinition.ts';
import { ConnectorError } from '../sdk/connectorError.ts';
import type { GraphConfig, GraphCredentials } from './config.ts';
import { createSubscriptions, notifiedEntities } from './subscriptions.ts';

interface DeltaPage {
  value?: (Record<string, unknown> & { id: string; '@removed'?: unknown })[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

interface DeltaState {
  deltaLink?: string;
  nextLink?: string;
  pass?: 'full' | 'incremental';
}

export function createGraphAdapter(
  runtime: AdapterRuntime<GraphConfig, GraphCredentials>,
): IntegrationAdapter {
  const { config } = runtime;
  const http = runtime.http({
    baseUrl: config.apiBaseUrl,
    auth: runtime.oauth2({
      tokenUrl: `${config.loginUrl.replace(/\/$/, '')}/${config.tenant}/oauth2/v2.0/token`,
      clientId: config.clientId,
      clientAuth: 'post',
    }),
    timeoutMs: config.timeoutMs,
    headers: { prefer: `odata.maxpagesize=${config.pageSize}` },
  });

  const startOf = (entity: string): { path: string; query: Record<string, string> } => {
    if (entity === 'calendarEvent') {
      const day = 86_400_000;
      return {
        path: '/v1.0/me/calendarView/delta',
        query: {
          startDateTime: new Date(Date.now() - config.calendarPastDays * day).toISOString(),
          endDateTime: new Date(Date.now() + config.calendarFutureDays * day).toISOString(),
        },
      };
    }
    if (entity === 'email') return { path: '/v1.0/me/mailFolders/inbox/messages/delta', query: {} };
    throw new ConnectorError('config', `Microsoft Graph has no entity "${entity}" here`);
  };

  async function* sync(request: SyncRequest): AsyncGenerator<SyncBatch> {
    let state = request.state as DeltaState;
    if (request.mode === 'full' && !state.nextLink) state = {};
    let pass: 'full' | 'incremental' = state.pass ?? (state.deltaLink ? 'incremental' : 'full');
    let link = state.nextLink ?? (pass === 'incremental' ? state.deltaLink : undefined);
    for (;;) {
      let page: DeltaPage;
      try {
        const start = startOf(request.entity);
        const response = link
          ? await http.request({ path: link, signal: request.signal, parseJson: true })
          : await http.request({
              path: start.path,
              query: start.query,
              signal: request.signal,
              parseJson: true,
            });
        page = response.json<DeltaPage>();
      } catch (error) {
        if (error instanceof ConnectorError && error.httpStatus === 410 && pass === 'incremental') {
          runtime.logger.info('delta state expired (410 Gone); starting a full sync');
          pass = 'full';
          link = undefined;
          state = {};
          continue;
        }
        throw error;
      }
      link = page['@odata.nextLink'];
      const done = !link;
      const next: DeltaState = done
        ? { ...(page['@odata.deltaLink'] ? { deltaLink: page['@odata.deltaLink'] } : {}) }
        : { ...(state.deltaLink ? { deltaLink: state.deltaLink } : {}), nextLink: link, pass };
      yield {
        records: (page.value ?? []).map((item) => ({
          externalId: item.id,
          data: item,
          ...(item['@removed'] ? { deleted: true } : {}),
        })),
        state: next as Record<string, unknown>,
        pass,
        fullPassComplete: done && pass === 'full',
        final: done,
      };
      if (done) return;
    }
  }

  return {
    http,
    handleWebhook: async (webhook) => ({ sync: notifiedEntities(webhook.body) }),
    openPushChannels: (request) => createSubscriptions(http, request),
    connect: async () => {},
    disconnect: async () => {},
    healthCheck: (signal) =>
      checkConnection(async () => {
        await http.request({
          path: '/v1.0/me/mailFolders/inbox/messages/delta',
          signal,
          retry: false,
          maxWaitMs: 5_000,
        });
        return 'Microsoft Graph answered';
      }),
    capabilities: (entity): EntityCapabilities => {
      startOf(entity);
      return { incremental: true, deletions: 'sweep' };
    },
    sync,
  };
}
