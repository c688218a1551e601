// The provider's webhook endpoint. Its body is kept as the raw bytes the provider signed, so the
// signature can be verified before anything is parsed.
import type { App } from '@minishop/kit/http';
import { Problem } from '@minishop/kit/schemas';
import type { PaymentsDeps } from '../domain/charge.ts';
import { handleProviderEvent } from '../domain/webhook.ts';
import { WebhookAck } from './payment.schemas.ts';

export async function webhookRoutes(app: App, deps: PaymentsDeps): Promise<void> {
  // Scoped to this plugin: every other route keeps the kit's JSON parsing.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post(
    '/payments/webhooks/provider',
    {
      schema: {
        tags: ['payments'],
        summary: 'Events from the payment provider, signed with the Stripe-Signature scheme',
        response: { 200: WebhookAck, 400: Problem },
      },
    },
    async (request) => {
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const signature = request.headers['stripe-signature'];
      const result = await handleProviderEvent(
        deps,
        raw,
        typeof signature === 'string' ? signature : undefined,
      );
      return { received: true, result };
    },
  );
}
