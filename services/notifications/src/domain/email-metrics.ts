// Email metrics: sends by outcome and event type (every series from zero), and, read when
// scraped, how many emails wait and for how long the oldest has.
import type { Registry } from 'prom-client';
import { counterFromZero } from '@minishop/kit/metrics';
import type { Pool } from '@minishop/kit/db';
import { scrapedGauges } from '@minishop/kit/outbox';
import { pendingBacklog } from '../data/deliveries.repository.ts';
import { EVENT_TYPES, type EventType } from './notification-events.ts';

export type EmailOutcome = 'sent' | 'retried' | 'failed';

export interface EmailMetrics {
  count(type: EventType, outcome: EmailOutcome): void;
}

export function emailMetrics(registry: Registry, pool: Pool): EmailMetrics {
  const emails = counterFromZero(registry, {
    name: 'minishop_emails_total',
    help: 'Email send attempts by outcome: sent, retried (will be tried again) or failed (for good)',
    labels: { type: EVENT_TYPES, outcome: ['sent', 'retried', 'failed'] },
  });
  scrapedGauges(registry, () => pendingBacklog(pool), [
    { name: 'minishop_emails_pending', help: 'Emails accepted and not yet sent or failed', field: 'pending' },
    {
      name: 'minishop_emails_oldest_pending_age_seconds',
      help: 'How long the oldest email not yet sent has waited (0 when none)',
      field: 'ageSeconds',
    },
  ]);
  return {
    count: (type, outcome) => emails.inc({ type: EVENT_TYPES.includes(type) ? type : 'unknown', outcome }),
  };
}
