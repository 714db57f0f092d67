// Encryption key status and data key rotation, for admins. Rotation runs while the API serves.
import type { FastifyInstance } from 'fastify';
import { readKeyStatus } from '../../vault/keyStatus.ts';
import { rotateDataKey } from '../../vault/rotateKeys.ts';
import type { HubContext } from '../context.ts';

export function keyRoutes(app: FastifyInstance, context: HubContext): void {
  app.get(
    '/api/v1/keys',
    { config: { role: 'admin' }, schema: { tags: ['keys'], summary: 'Encryption key status' } },
    async () => readKeyStatus(context.pool, context.vault),
  );

  app.post(
    '/api/v1/keys/rotate',
    {
      config: { role: 'admin' },
      schema: { tags: ['keys'], summary: 'Rotate the data key and re-encrypt every credential' },
    },
    async (request) =>
      rotateDataKey(context.pool, context.vault, { actor: request.principal, traceId: request.id }),
  );
}
