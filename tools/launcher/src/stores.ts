// The stack's stores: PostgreSQL and Redis, embedded or given by URL, started side by side, and
// one database per service that owns one.
import path from 'node:path';
import { ensureDatabase, startPostgres } from '@minishop/devstack/postgres';
import { startRedis } from '@minishop/devstack/redis';
import { DATABASE_SERVICES, type ComponentName, type DatabaseService } from './components.ts';

export interface Stores {
  postgres: { adminUrl: string; embedded: boolean; stop(): Promise<void> };
  redis: { url: string; embedded: boolean; stop(): Promise<void> };
}

export interface StoreOptions {
  dataDir: string;
  persistent: boolean;
  databaseUrl?: string;
  redisUrl?: string;
  /** More settings for an embedded PostgreSQL. */
  postgresSettings?: string[];
}

/**
 * Starts both; if one fails, the one that started is handed to `onStarted` before the error is
 * thrown, so the caller's cleanup stops it.
 */
export async function startStores(
  options: StoreOptions,
  onStarted: (stop: () => Promise<void>) => void,
): Promise<Stores> {
  const { dataDir, persistent } = options;
  const [pgResult, redisResult] = await Promise.allSettled([
    options.databaseUrl
      ? { adminUrl: options.databaseUrl, embedded: false, stop: async () => {} }
      : startPostgres({
          dataDir: path.join(dataDir, 'postgres'),
          persistent,
          settings: options.postgresSettings,
        }),
    options.redisUrl
      ? { url: options.redisUrl, embedded: false, stop: async () => {} }
      : startRedis({ dataDir: path.join(dataDir, 'redis'), persistent }),
  ]);
  if (pgResult.status === 'fulfilled') onStarted(() => pgResult.value.stop());
  if (redisResult.status === 'fulfilled') onStarted(() => redisResult.value.stop());
  if (pgResult.status === 'rejected') throw pgResult.reason;
  if (redisResult.status === 'rejected') throw redisResult.reason;
  return { postgres: pgResult.value, redis: redisResult.value };
}

/** Creates (when missing) the database of every present service that owns one. */
export async function ensureDatabases(
  adminUrl: string,
  present: readonly ComponentName[],
  prefix: string,
): Promise<Partial<Record<DatabaseService, string>>> {
  const urls: Partial<Record<DatabaseService, string>> = {};
  await Promise.all(
    DATABASE_SERVICES.filter((s) => present.includes(s)).map(async (service) => {
      urls[service] = await ensureDatabase(adminUrl, `${prefix}${service}`);
    }),
  );
  return urls;
}
