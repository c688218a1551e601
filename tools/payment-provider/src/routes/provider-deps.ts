// Everything the routes work with, built once per app.
import type { Ledger } from '../domain/ledger.store.ts';
import type { FaultsState } from '../faults/faults.state.ts';
import type { IdempotencyStore } from '../idempotency/idempotency.store.ts';
import type { StateFile } from '../state/state-file.ts';
import type { WebhookDispatcher } from '../webhooks/webhook.dispatcher.ts';

export interface ProviderDeps {
  ledger: Ledger;
  faults: FaultsState;
  idempotency: IdempotencyStore;
  /** Receives domain events and delivers them as webhooks. */
  events: WebhookDispatcher;
  /** Where the ledger, answered idempotency keys and events are kept across restarts. */
  state: StateFile;
}
