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
  /** Each service's management port (health, readiness, metrics), kept off the public ports. */
  gatewayManagement: number;
  authManagement: number;
  catalogManagement: number;
  cartManagement: number;
  ordersManagement: number;
  paymentsManagement: number;
  shippingManagement: number;
  notificationsManagement: number;
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
  gatewayManagement: 9080,
  authManagement: 9081,
  catalogManagement: 9082,
  cartManagement: 9083,
  ordersManagement: 9084,
  paymentsManagement: 9085,
  shippingManagement: 9086,
  notificationsManagement: 9087,
};

/** The key of a service's management port in StackPorts. */
export function managementPortKey(name: ServiceName): keyof StackPorts {
  return `${name}Management`;
}

/** Which port keys a component listens on (the first one is its HTTP port). */
export const COMPONENT_PORTS: Record<ComponentName, Array<keyof StackPorts>> = {
  gateway: ['gateway', 'gatewayManagement'],
  auth: ['auth', 'authManagement'],
  catalog: ['catalog', 'catalogManagement'],
  cart: ['cart', 'cartManagement'],
  orders: ['orders', 'ordersManagement'],
  payments: ['payments', 'paymentsManagement'],
  shipping: ['shipping', 'shippingManagement'],
  notifications: ['notifications', 'notificationsManagement'],
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
  /** The stack's data directory, where the payment simulator keeps its state. */
  dataDir?: string;
  /** The built web app the gateway serves (absent: no web app). */
  webRoot?: string;
}

const local = (port: number): string => `http://127.0.0.1:${port}`;

const URL_VARS = {
  auth: 'AUTH_URL',
  catalog: 'CATALOG_URL',
  cart: 'CART_URL',
  orders: 'ORDERS_URL',
  payments: 'PAYMENTS_URL',
  shipping: 'SHIPPING_URL',
  notifications: 'NOTIFICATIONS_URL',
} as const;
type CalledService = keyof typeof URL_VARS;

/** What a service needs from the stack; componentEnv turns it into environment variables. */
interface ServiceNeeds {
  database?: boolean;
  redis?: boolean;
  /** Its client-credentials client (SERVICE_CLIENT_ID/SECRET). */
  client?: boolean;
  /** The services it calls, passed as <NAME>_URL. */
  calls: readonly CalledService[];
  extra?: (inputs: EnvInputs) => Record<string, string>;
}

const SERVICE_NEEDS: Record<ServiceName, ServiceNeeds> = {
  auth: {
    database: true,
    redis: true,
    calls: ['notifications'],
    extra: ({ admin, secrets }) => ({
      MINISHOP_ADMIN_EMAIL: admin.email,
      MINISHOP_ADMIN_PASSWORD: admin.password,
      SERVICE_CLIENTS: JSON.stringify(
        Object.entries(SERVICE_CLIENT_SCOPES).map(([clientId, scopes]) => ({
          client_id: clientId,
          client_secret: secrets.serviceClients[clientId],
          scopes,
        })),
      ),
    }),
  },
  catalog: { database: true, calls: ['auth'] },
  cart: { redis: true, calls: ['auth', 'catalog'] },
  orders: {
    database: true,
    client: true,
    calls: ['auth', 'cart', 'catalog', 'payments', 'shipping', 'notifications'],
  },
  payments: {
    database: true,
    client: true,
    calls: ['auth', 'orders'],
    extra: ({ ports, secrets }) => ({
      PAYMENT_PROVIDER_URL: local(ports.paymentProvider),
      PAYMENT_PROVIDER_SECRET_KEY: secrets.paymentProviderSecretKey,
      PAYMENT_WEBHOOK_SECRET: secrets.paymentWebhookSecret,
    }),
  },
  shipping: { database: true, client: true, calls: ['auth', 'orders'] },
  notifications: {
    database: true,
    calls: ['auth'],
    extra: ({ ports }) => ({
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(ports.mailSmtp),
      SMTP_FROM: 'Minishop <shop@minishop.local>',
      // Links in emails (e.g. email verification) point at the gateway.
      PUBLIC_URL: `http://localhost:${ports.gateway}`,
    }),
  },
  gateway: {
    redis: true,
    calls: ['auth', 'catalog', 'cart', 'orders', 'payments', 'shipping', 'notifications'],
    extra: ({ webRoot }): Record<string, string> => (webRoot ? { WEB_ROOT: webRoot } : {}),
  },
};

function serviceEnv(name: ServiceName, inputs: EnvInputs): Record<string, string> {
  const needs = SERVICE_NEEDS[name];
  const { ports, databaseUrls, redisUrl, secrets } = inputs;
  const env: Record<string, string> = {
    HOST: '127.0.0.1',
    NODE_OPTIONS: SERVICE_NODE_OPTIONS,
    ...MALLOC_ENV,
    PORT: String(ports[name]),
    MANAGEMENT_PORT: String(ports[managementPortKey(name)]),
  };
  const databaseUrl = (DATABASE_SERVICES as readonly string[]).includes(name)
    ? databaseUrls[name as DatabaseService]
    : undefined;
  if (needs.database && databaseUrl) env.DATABASE_URL = databaseUrl;
  if (needs.redis) env.REDIS_URL = redisUrl;
  for (const called of needs.calls) env[URL_VARS[called]] = local(ports[called]);
  const secret = secrets.serviceClients[name];
  if (needs.client && secret) Object.assign(env, { SERVICE_CLIENT_ID: name, SERVICE_CLIENT_SECRET: secret });
  return { ...env, ...needs.extra?.(inputs) };
}

/** The environment variables of one component, following the config contract. */
export function componentEnv(name: ComponentName, inputs: EnvInputs): Record<string, string> {
  const { ports, secrets } = inputs;
  if (name === 'payment-provider') {
    return {
      HOST: '127.0.0.1',
      PORT: String(ports.paymentProvider),
      PROVIDER_SECRET_KEY: secrets.paymentProviderSecretKey,
      PROVIDER_WEBHOOK_SECRET: secrets.paymentWebhookSecret,
      PROVIDER_WEBHOOK_URL: `${local(ports.payments)}/payments/webhooks/provider`,
      // Its ledger, idempotency keys and undelivered events survive a restart, as a real provider's would.
      ...(inputs.dataDir ? { PROVIDER_STATE_FILE: path.join(inputs.dataDir, 'payment-provider.json') } : {}),
    };
  }
  if (name === 'mail-sink') {
    return { HOST: '127.0.0.1', SMTP_PORT: String(ports.mailSmtp), HTTP_PORT: String(ports.mailHttp) };
  }
  return serviceEnv(name, inputs);
}
