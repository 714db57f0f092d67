// Builds the HTTP server: validation from zod schemas, problem+json errors, authentication,
// metrics, the OpenAPI document, and every resource's routes. Does not listen; hub.ts does.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { lostTheDatabase } from '../db/connectionLoss.ts';
import { HubError } from '../errors.ts';
import { registerRequestTracing, startRequestSpan } from '../observability/requestTracing.ts';
import { registerAuthentication } from './authentication.ts';
import type { HubContext } from './context.ts';
import { clientErrorHandler, frameworkErrors } from './frameworkErrors.ts';
import { registerJsonParsers } from './jsonBodies.ts';
import { refuseNulCharacters } from './nulCharacters.ts';
import { sendProblem, toHubError } from './problem.ts';
import { apiKeyRoutes } from './routes/apiKeys.ts';
import { auditRoutes } from './routes/audit.ts';
import { conflictRoutes } from './routes/conflicts.ts';
import { connectorRoutes } from './routes/connectors.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { eventStreamRoutes } from './routes/eventStream.ts';
import { eventRoutes } from './routes/events.ts';
import { healthRoutes } from './routes/health.ts';
import { integrationRoutes } from './routes/integrations.ts';
import { keyRoutes } from './routes/keys.ts';
import { mappingRoutes } from './routes/mapping.ts';
import { messageRoutes } from './routes/messages.ts';
import { monitoringRoutes } from './routes/monitoring.ts';
import { oauthRoutes } from './routes/oauth.ts';
import { overviewRoutes } from './routes/overview.ts';
import { proxyRoutes } from './routes/proxy.ts';
import { publishEventRoutes } from './routes/publishEvents.ts';
import { schemaRoutes } from './routes/schemas.ts';
import { sessionRoutes } from './routes/session.ts';
import { subscriptionRoutes } from './routes/subscriptions.ts';
import { syncRoutes } from './routes/sync.ts';
import { webhookRoutes } from './routes/webhooks.ts';

export async function buildServer(context: HubContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: context.logger as FastifyBaseLogger,
    // One line per request, written in onResponse with the route and duration.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'traceId' }),
    genReqId: startRequestSpan,
    bodyLimit: context.config.bodyLimitBytes,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true },
    // Refusals before routing are problem+json too.
    frameworkErrors,
    clientErrorHandler,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // The API speaks JSON only; any other body is refused with 415.
  app.removeContentTypeParser('text/plain');
  registerJsonParsers(app);

  registerObservability(app, context);
  registerErrors(app, context);
  refuseNulCharacters(app);
  registerAuthentication(app, {
    pool: context.pool,
    oidc: context.oidc,
    requestsPerMinute: context.config.apiRateLimitPerMinute,
    failedAttempts: context.failedAttempts,
  });
  await registerOpenApi(app);

  healthRoutes(app, context);
  connectorRoutes(app, context);
  mappingRoutes(app, context);
  integrationRoutes(app, context);
  apiKeyRoutes(app, context);
  auditRoutes(app, context);
  keyRoutes(app, context);
  syncRoutes(app, context);
  proxyRoutes(app, context);
  messageRoutes(app, context);
  oauthRoutes(app, context);
  conflictRoutes(app, context);
  eventRoutes(app, context);
  publishEventRoutes(app, context);
  schemaRoutes(app, context);
  webhookRoutes(app, context);
  subscriptionRoutes(app, context);
  sessionRoutes(app, context);
  overviewRoutes(app, context);
  monitoringRoutes(app, context);
  eventStreamRoutes(app, context);
  await dashboardRoutes(app, undefined, context.config.oidc);
  return app;
}

function registerObservability(app: FastifyInstance, context: HubContext): void {
  registerRequestTracing(app);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-trace-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    context.metrics.httpDuration.observe(
      { method: request.method, route, status_code: reply.statusCode },
      seconds,
    );
    if (route === '/metrics' || route === '/healthz' || route === '/readyz') return;
    request.log.info(
      { method: request.method, route, status: reply.statusCode, durationMs: Math.round(reply.elapsedTime) },
      'request completed',
    );
  });
}

function registerErrors(app: FastifyInstance, context: HubContext): void {
  app.setErrorHandler(async (error, request, reply) => {
    let hubError = toHubError(error, request);
    // A request that failed because the database is gone (restarted, failed over) is worth
    // repeating shortly: 503 with Retry-After, which webhook senders and clients honour.
    if (hubError.status === 500 && (await lostTheDatabase(context.pool, error))) {
      request.log.warn({ err: error }, 'request failed: the database does not answer');
      hubError = new HubError(
        'transient',
        'DATABASE_UNAVAILABLE',
        'the hub cannot reach its database right now; try again shortly',
        { status: 503, retryAfterSeconds: 5, cause: error },
      );
      return sendProblem(reply, hubError);
    }
    if (hubError.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: hubError.code, status: hubError.status }, 'request refused');
    return sendProblem(reply, hubError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      new HubError(
        'not_found',
        'ROUTE_NOT_FOUND',
        `${request.method} ${request.url.split('?')[0]} is not a route of this hub`,
      ),
    ),
  );
}

async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Integration Hub API',
        version: '1',
        description:
          'Registry, syncs and events of the Integration Hub. Errors are application/problem+json.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/v1/docs' });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
