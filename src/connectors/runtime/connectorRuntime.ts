// Builds a live adapter for a stored integration: opens its credentials, and wires the SDK's
// machinery to it. Connection pools (undici agents), circuit breakers and rate limiters are kept
// per integration for the life of the process, so every run and proxy call shares them.
import type { CircuitBreakerPolicy } from 'cockatiel';
import type { Agent } from 'undici';
import type { Pool } from '../../db/pool.ts';
import type { OutboundNetwork } from '../../network/outboundNetwork.ts';
import type { Logger } from '../../observability/logger.ts';
import type { HubMetrics } from '../../observability/metrics.ts';
import { openCredentials } from '../../registry/credentialStore.ts';
import type { StoredIntegration } from '../../registry/integrationsTable.ts';
import type { Vault } from '../../vault/vault.ts';
import type { ConnectorCatalog } from '../catalog.ts';
import type { IntegrationAdapter } from '../sdk/adapter.ts';
import { oauth2Auth } from '../sdk/auth/oauth2Auth.ts';
import { ConditionalCache } from '../sdk/conditionalCache.ts';
import type { AdapterRuntime, HttpClientSetup } from '../sdk/connectorDefinition.ts';
import { ConnectorHttpClient } from '../sdk/httpClient.ts';
import { IntegrationRateLimiter } from '../sdk/rateLimiter.ts';
import { Redactor } from '../sdk/redact.ts';
import { RequestLogWriter } from '../sdk/requestLog.ts';
import { createCircuitBreaker } from '../sdk/resilience.ts';
import { findContactsByEmail, findContactsByPhone, findStoredRecord } from './contactLookup.ts';
import { storedOAuthTokenSource } from './oauthTokenSource.ts';

export interface RuntimeDependencies {
  pool: Pool;
  vault: Vault;
  catalog: ConnectorCatalog;
  logger: Logger;
  metrics: HubMetrics;
  network: OutboundNetwork;
}

export interface AdapterOptions {
  traceId?: string | undefined;
  /** How long rate limits and Retry-After are waited out before the error goes up. */
  maxWaitMs: number;
  onRateLimited?: (details: { retryAfterMs: number | undefined; url: string }) => void;
}

export interface LiveAdapter {
  adapter: IntegrationAdapter;
  redactor: Redactor;
}

export class ConnectorRuntime {
  readonly requestLog: RequestLogWriter;
  readonly #deps: RuntimeDependencies;
  readonly #agents = new Map<string, Agent>();
  readonly #breakers = new Map<string, CircuitBreakerPolicy>();
  readonly #limiters = new Map<string, { limits: string; limiter: IntegrationRateLimiter }>();

  constructor(deps: RuntimeDependencies) {
    this.#deps = deps;
    this.requestLog = new RequestLogWriter(deps.pool, deps.logger);
  }

  async adapterFor(integration: StoredIntegration, options: AdapterOptions): Promise<LiveAdapter> {
    const { pool, vault, catalog, logger } = this.#deps;
    const connector = catalog.get(integration.connector);
    const credentials = await openCredentials(vault, integration);
    const secrets = new Set(Object.values(credentials));
    const authProviders: { secrets(): string[] }[] = [];
    const redactor = new Redactor(() => [...secrets, ...authProviders.flatMap((auth) => auth.secrets())]);
    const config = connector.configSchema.parse(integration.config);
    const runtime: AdapterRuntime<unknown, unknown> = {
      integrationId: integration.id,
      config,
      credentials: connector.credentialsSchema.parse(credentials),
      logger: logger.child({ integrationId: integration.id }),
      network: this.#deps.network,
      http: (setup: HttpClientSetup) => {
        authProviders.push(setup.auth);
        return new ConnectorHttpClient({
          integrationId: integration.id,
          baseUrl: setup.baseUrl,
          auth: setup.auth,
          // The redactor asks the auth providers on every write, so refreshed tokens are covered too.
          redactor,
          dispatcher: this.#agent(integration.id),
          timeoutMs: setup.timeoutMs ?? 30_000,
          retryPolicy: integration.retryPolicy,
          breaker: this.breakerFor(integration.id),
          rateLimiter: this.#limiter(integration),
          log: this.requestLog,
          cache: new ConditionalCache(pool, integration.id),
          ...(setup.headers ? { defaultHeaders: setup.headers } : {}),
          maxWaitMs: options.maxWaitMs,
          ...(setup.rateLimitHint ? { rateLimitHint: setup.rateLimitHint } : {}),
          ...(setup.classify ? { classify: setup.classify } : {}),
          traceId: options.traceId,
          onRateLimited: (details) => {
            this.#deps.metrics.rateLimited.inc({ integration: integration.id });
            options.onRateLimited?.(details);
          },
          onAttempt: (status, durationMs) =>
            this.#deps.metrics.sourceRequests.observe(
              { integration: integration.id, status: status === undefined ? 'network' : String(status) },
              durationMs / 1000,
            ),
        });
      },
      oauth2: (setup) => {
        const source = storedOAuthTokenSource({
          pool,
          vault,
          integrationId: integration.id,
          credentials,
          setup,
          fetch: this.#deps.network.fetch,
        });
        return oauth2Auth(source);
      },
      rateLimit: async (signal) => {
        await this.#limiter(integration).take(options.maxWaitMs, signal);
      },
      findContacts: (addresses) => findContactsByEmail(pool, addresses),
      findContactsByPhone: (numbers) => findContactsByPhone(pool, numbers),
      storedRecord: (entity, externalId) => findStoredRecord(pool, integration.id, entity, externalId),
    };
    return { adapter: connector.createAdapter(runtime), redactor };
  }

  breakerFor(integrationId: string): CircuitBreakerPolicy {
    let breaker = this.#breakers.get(integrationId);
    if (!breaker) {
      breaker = createCircuitBreaker();
      this.#breakers.set(integrationId, breaker);
    }
    return breaker;
  }

  /** After a change of settings or a delete, the next adapter starts with fresh connections. */
  forget(integrationId: string): void {
    const agent = this.#agents.get(integrationId);
    this.#agents.delete(integrationId);
    this.#breakers.delete(integrationId);
    this.#limiters.delete(integrationId);
    void agent?.close().catch(() => {});
  }

  async close(): Promise<void> {
    await this.requestLog.flush();
    await Promise.all([...this.#agents.values()].map((agent) => agent.close().catch(() => {})));
    this.#agents.clear();
  }

  #agent(integrationId: string): Agent {
    let agent = this.#agents.get(integrationId);
    if (!agent) {
      // Every connection of the integration passes the address policy, whatever DNS says by then.
      agent = this.#deps.network.agent({
        keepAliveTimeout: 10_000,
        connections: 16,
        connect: { timeout: 10_000 },
      });
      this.#agents.set(integrationId, agent);
    }
    return agent;
  }

  #limiter(integration: StoredIntegration): IntegrationRateLimiter {
    const limits = JSON.stringify(integration.rateLimits);
    const known = this.#limiters.get(integration.id);
    if (known && known.limits === limits) return known.limiter;
    const limiter = new IntegrationRateLimiter(this.#deps.pool, integration.id, integration.rateLimits);
    this.#limiters.set(integration.id, { limits, limiter });
    return limiter;
  }
}
