// Sending a message through an integration that can (email): a CRM module hands the hub the
// message; the hub sends it with the integration's stored credentials and records who sent what.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { recordAudit } from '../../audit/recordAudit.ts';
import { ConnectorError, toConnectorError, toHubError } from '../../connectors/sdk/connectorError.ts';
import { withTransaction } from '../../db/pool.ts';
import { HubError, notFound } from '../../errors.ts';
import { appendEvents, integrationSource } from '../../events/outbox.ts';
import { findIntegration } from '../../registry/integrationsTable.ts';
import type { HubContext } from '../context.ts';

const idParams = z.strictObject({ id: z.uuid('must be a UUID') });
const address = z.email('must be an email address').max(320);
const recipients = z.array(address).max(100);

const messageBody = z
  .strictObject({
    to: recipients.min(1, 'needs at least one recipient'),
    cc: recipients.optional(),
    bcc: recipients.optional(),
    subject: z.string().max(998),
    text: z.string().max(5_000_000).optional(),
    html: z.string().max(5_000_000).optional(),
    inReplyTo: z.string().max(998).optional(),
    references: z.array(z.string().max(998)).max(100).optional(),
    attachments: z
      .array(
        z.strictObject({
          filename: z.string().min(1).max(255),
          contentType: z.string().min(3).max(255),
          contentBase64: z.base64('must be base64'),
        }),
      )
      .max(20)
      .optional(),
  })
  .refine((body) => body.text !== undefined || body.html !== undefined, {
    message: 'needs text or html',
    path: ['text'],
  });

export function messageRoutes(app: FastifyInstance, context: HubContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/api/v1/integrations/:id/messages',
    {
      config: { role: 'operator' },
      bodyLimit: 30 * 1024 * 1024,
      schema: {
        tags: ['messages'],
        summary: "Send a message (email) through the integration's server",
        params: idParams,
        body: messageBody,
      },
    },
    async (request, reply) => {
      const integration = await findIntegration(context.pool, request.params.id);
      if (!integration) throw notFound('integration', request.params.id);
      if (integration.status === 'inactive') {
        throw new HubError('conflict', 'INTEGRATION_PAUSED', `integration ${integration.id} is paused`);
      }
      const live = await context.runtime.adapterFor(integration, { traceId: request.id, maxWaitMs: 5_000 });
      if (!live.adapter.send) {
        throw new HubError(
          'validation',
          'CANNOT_SEND',
          `connector ${integration.connector} cannot send messages`,
          {
            status: 400,
          },
        );
      }
      const { attachments, ...message } = request.body;
      let sent: Awaited<ReturnType<NonNullable<typeof live.adapter.send>>>;
      try {
        sent = await live.adapter.send(
          {
            ...message,
            attachments: attachments?.map((attachment) => ({
              filename: attachment.filename,
              contentType: attachment.contentType,
              content: Buffer.from(attachment.contentBase64, 'base64'),
            })),
          },
          AbortSignal.timeout(60_000),
        );
      } catch (error) {
        const failure = error instanceof ConnectorError ? error : toConnectorError(error, 'sending');
        throw toHubError(new ConnectorError(failure.kind, live.redactor.text(failure.message)));
      }
      const summary = {
        messageId: sent.messageId,
        to: message.to,
        cc: message.cc ?? [],
        subject: message.subject,
        attachments: attachments?.map((attachment) => attachment.filename) ?? [],
      };
      await withTransaction(context.pool, async (tx) => {
        await recordAudit(tx, request.principal, {
          action: 'message.sent',
          targetType: 'integration',
          targetId: integration.id,
          changes: summary,
          traceId: request.id,
        });
        await appendEvents(tx, [
          {
            type: 'email.sent',
            source: integrationSource(integration.id),
            subject: sent.messageId,
            data: { ...summary, accepted: sent.accepted, rejected: sent.rejected },
            integrationId: integration.id,
            traceId: request.id,
          },
        ]);
      });
      return reply.status(201).send(sent);
    },
  );
}
