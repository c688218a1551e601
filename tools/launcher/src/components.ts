// What the local stack is made of: every service and simulator, its entry point, default port,
// and the environment it gets under the config contract (docs/design.md §6).
import path from 'node:path';

export const SERVICE_NAMES = [
  'auth',
  'catalog',
  'cart',
  'orders',
  'payments',
  'shipping',
  'notifications',
  'gateway',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const TOOL_NAMES = ['payment-provider', 'mail-sink'] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

export type ComponentName = ServiceName | ToolName;

/** Services that own a PostgreSQL database named after them. */
export const DATABASE_SERVICES = [
  'auth',
  'catalog',
  'orders',
  'payments',
  'shipping',
  'notifications',
] as const;
export type DatabaseService = (typeof DATABASE_SERVICES)[number];

export interface StackPorts {
  gateway: number;
  auth: number;
  catalog: number;
  cart: number;
  orders: number;
  payments: number;
  shipping: number;
  notifications: number;
  paymentProvider: number;
  mailSmtp: number;
  mailHttp: number;
}

export const DEFAULT_PORTS: StackPorts = {
  gateway: 8080,
  auth: 8081,
  catalog: 8082,
  cart: 8083,
  orders: 8084,
  payments: 8085,
  shipping: 8086,
  notifications: 8087,
  paymentProvider: 8090,
  mailSmtp: 1025,
  mailHttp: 8025,
};

/** Which port keys a component listens on (the first one is its HTTP port). */
export const COMPONENT_PORTS: Record<ComponentName, Array<keyof StackPorts>> = {
  gateway: ['gateway'],
  auth: ['auth'],
  catalog: ['catalog'],
  cart: ['cart'],
  orders: ['orders'],
  payments: ['payments'],
  shipping: ['shipping'],
  notifications: ['notifications'],
  'payment-provider': ['paymentProvider'],
  'mail-sink': ['mailHttp', 'mailSmtp'],
};

/**
 * Client-credentials clients registered in Auth, by the service that uses them, with the
 * scopes of exactly the internal routes that service calls.
 */
export const SERVICE_CLIENT_SCOPES: Record<string, string[]> = {
  orders: [
    'catalog:reserve',
    'cart:read',
    'cart:clear',
    'payments:charge',
    'payments:refund',
    'shipping:create',
    'notify:send',
  ],
  // Payments calls Orders with the buyer's own token; its client is there for future calls.
  payments: [],
  shipping: ['orders:update'],
};

/**
 * V8 heap limits for the services. A service keeps about 30 MB of live objects; V8's defaults
 * (a young generation of up to 48 MB, an old generation allowed to grow towards gigabytes)
 * let a busy process sit at 250-350 MB for no gain. The gateway, which allocates the most per
 * request, measured the same throughput with a 2 MB young generation as with 8 MB once it
 * forwarded through undici's dispatcher directly (docs/benchmarks.md).
 */
export const SERVICE_NODE_OPTIONS = '--max-semi-space-size=2 --max-old-space-size=96';

/**
 * glibc malloc settings for the services (the same ones are in deploy/Dockerfile). By default
 * every thread that allocates gets an arena of its own (up to 8 per core) and the threshold above
 * which a block is mapped on its own rises with the largest block freed, so big buffers end up in
 * arenas that are never given back. Two arenas and a fixed 128 KiB threshold keep a busy service
 * 10-20 MB smaller at the same throughput (docs/benchmarks.md).
 */
export const MALLOC_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' } as const;

export function entryPoint(root: string, name: ComponentName): string {
  const dir = (TOOL_NAMES as readonly string[]).includes(name) ? 'tools' : 'services';
  return path.join(root, dir, name, 'src', 'main.ts');
}

export interface StackSecretsView {
  serviceClients: Record<string, string>;
  paymentProviderSecretKey: string;
  paymentWebhookSecret: string;
}

export interface EnvInputs {
  ports: StackPorts;
  /** Components that will run; URLs of absent ones are still passed so a service can answer 503. */
  databaseUrls: Partial<Record<DatabaseService, string>>;
  redisUrl: string;
  secrets: StackSecretsView;
  admin: { email: string; password: string };
}

const local = (port: number): string => `http://127.0.0.1:${port}`;

/** The environment variables of one component, following the config contract. */
export function componentEnv(name: ComponentName, inputs: EnvInputs): Record<string, string> {
  const { ports, databaseUrls, redisUrl, secrets, admin } = inputs;
  const urls = {
    AUTH_URL: local(ports.auth),
    CATALOG_URL: local(ports.catalog),
    CART_URL: local(ports.cart),
    ORDERS_URL: local(ports.orders),
    PAYMENTS_URL: local(ports.payments),
    SHIPPING_URL: local(ports.shipping),
    NOTIFICATIONS_URL: local(ports.notifications),
  };
  const database = (service: DatabaseService): Record<string, string> => {
    const url = databaseUrls[service];
    return url ? { DATABASE_URL: url } : {};
  };
  const client = (id: string): Record<string, string> => {
    const secret = secrets.serviceClients[id];
    return secret ? { SERVICE_CLIENT_ID: id, SERVICE_CLIENT_SECRET: secret } : {};
  };
  const base = { HOST: '127.0.0.1', NODE_OPTIONS: SERVICE_NODE_OPTIONS, ...MALLOC_ENV };
  switch (name) {
    case 'auth':
      return {
        ...base,
        PORT: String(ports.auth),
        ...database('auth'),
        REDIS_URL: redisUrl,
        MINISHOP_ADMIN_EMAIL: admin.email,
        MINISHOP_ADMIN_PASSWORD: admin.password,
        SERVICE_CLIENTS: JSON.stringify(
          Object.entries(SERVICE_CLIENT_SCOPES).map(([clientId, scopes]) => ({
            client_id: clientId,
            client_secret: secrets.serviceClients[clientId],
            scopes,
          })),
        ),
        NOTIFICATIONS_URL: urls.NOTIFICATIONS_URL,
      };
    case 'catalog':
      return { ...base, PORT: String(ports.catalog), AUTH_URL: urls.AUTH_URL, ...database('catalog') };
    case 'cart':
      return {
        ...base,
        PORT: String(ports.cart),
        AUTH_URL: urls.AUTH_URL,
        REDIS_URL: redisUrl,
        CATALOG_URL: urls.CATALOG_URL,
      };
    case 'orders':
      return {
        ...base,
        PORT: String(ports.orders),
        ...database('orders'),
        AUTH_URL: urls.AUTH_URL,
        CART_URL: urls.CART_URL,
        CATALOG_URL: urls.CATALOG_URL,
        PAYMENTS_URL: urls.PAYMENTS_URL,
        SHIPPING_URL: urls.SHIPPING_URL,
        NOTIFICATIONS_URL: urls.NOTIFICATIONS_URL,
        ...client('orders'),
      };
    case 'payments':
      return {
        ...base,
        PORT: String(ports.payments),
        ...database('payments'),
        AUTH_URL: urls.AUTH_URL,
        PAYMENT_PROVIDER_URL: local(ports.paymentProvider),
        PAYMENT_PROVIDER_SECRET_KEY: secrets.paymentProviderSecretKey,
        PAYMENT_WEBHOOK_SECRET: secrets.paymentWebhookSecret,
        ORDERS_URL: urls.ORDERS_URL,
        ...client('payments'),
      };
    case 'shipping':
      return {
        ...base,
        PORT: String(ports.shipping),
        ...database('shipping'),
        AUTH_URL: urls.AUTH_URL,
        ORDERS_URL: urls.ORDERS_URL,
        ...client('shipping'),
      };
    case 'notifications':
      return {
        ...base,
        PORT: String(ports.notifications),
        ...database('notifications'),
        AUTH_URL: urls.AUTH_URL,
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(ports.mailSmtp),
        SMTP_FROM: 'Minishop <shop@minishop.local>',
        // Links in emails (e.g. email verification) point at the gateway.
        PUBLIC_URL: `http://localhost:${ports.gateway}`,
      };
    case 'gateway':
      return {
        ...base,
        PORT: String(ports.gateway),
        REDIS_URL: redisUrl,
        ...urls,
      };
    case 'payment-provider':
      return {
        HOST: '127.0.0.1',
        PORT: String(ports.paymentProvider),
        PROVIDER_SECRET_KEY: secrets.paymentProviderSecretKey,
        PROVIDER_WEBHOOK_SECRET: secrets.paymentWebhookSecret,
        PROVIDER_WEBHOOK_URL: `${urls.PAYMENTS_URL}/payments/webhooks/provider`,
      };
    case 'mail-sink':
      return { HOST: '127.0.0.1', SMTP_PORT: String(ports.mailSmtp), HTTP_PORT: String(ports.mailHttp) };
  }
}
