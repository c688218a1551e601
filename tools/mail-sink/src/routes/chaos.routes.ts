// Mailpit's chaos API: read and replace the SMTP failure triggers.
import type { FastifyInstance } from 'fastify';
import { ChaosTriggersInput, type ChaosState } from '../smtp/chaos.state.ts';

export function chaosRoutes(app: FastifyInstance, chaos: ChaosState): void {
  app.get('/api/v1/chaos', async () => chaos.get());

  app.put<{ Body: ChaosTriggersInput }>(
    '/api/v1/chaos',
    { schema: { body: ChaosTriggersInput } },
    async (req) => {
      const triggers = chaos.set(req.body);
      req.log.info({ triggers }, 'chaos triggers changed');
      return triggers;
    },
  );
}
