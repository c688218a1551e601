// Carts in Redis: one hash per user (product id → quantity) whose expiry is pushed back on every
// write. Limits are enforced inside Lua scripts so concurrent writers can never overshoot them.
import type { Redis } from '@minishop/kit/redis';

export interface CartLine {
  productId: string;
  quantity: number;
}

export interface CartLimits {
  maxQuantityPerLine: number;
  maxLines: number;
  ttlSeconds: number;
}

export type AddOutcome =
  | { ok: true; quantity: number }
  | { ok: false; reason: 'line_limit' | 'above_stock' | 'cart_full'; current: number };

export type SetOutcome = { ok: true } | { ok: false; reason: 'no_line' };

// KEYS[1] cart; ARGV: product, quantity to add, max per line, max lines, ttl seconds, stock.
const ADD_SCRIPT = `
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local wanted = current + tonumber(ARGV[2])
if wanted > tonumber(ARGV[3]) then return {0, current} end
if wanted > tonumber(ARGV[6]) then return {-1, current} end
if current == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[4]) then return {-2, current} end
redis.call('HSET', KEYS[1], ARGV[1], wanted)
redis.call('EXPIRE', KEYS[1], ARGV[5])
return {1, wanted}
`;

// KEYS[1] cart; ARGV: product, quantity, ttl seconds. Only replaces a line that exists.
const SET_SCRIPT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
`;

interface ScriptedRedis {
  cartAdd(key: string, ...args: (string | number)[]): Promise<[number, number]>;
  cartSet(key: string, ...args: (string | number)[]): Promise<number>;
}

export interface CartRepository {
  lines(userId: string): Promise<CartLine[]>;
  hasLine(userId: string, productId: string): Promise<boolean>;
  add(userId: string, productId: string, quantity: number, stock: number): Promise<AddOutcome>;
  set(userId: string, productId: string, quantity: number): Promise<SetOutcome>;
  remove(userId: string, productId: string): Promise<boolean>;
  removeMany(userId: string, productIds: string[]): Promise<void>;
  clear(userId: string): Promise<void>;
}

export function cartKey(userId: string): string {
  return `minishop:cart:${userId.toLowerCase()}`;
}

export function createCartRepository(redis: Redis, limits: CartLimits): CartRepository {
  redis.defineCommand('cartAdd', { numberOfKeys: 1, lua: ADD_SCRIPT });
  redis.defineCommand('cartSet', { numberOfKeys: 1, lua: SET_SCRIPT });
  const scripted = redis as unknown as ScriptedRedis;

  return {
    async lines(userId) {
      const hash = await redis.hgetall(cartKey(userId));
      return Object.entries(hash)
        .map(([productId, quantity]) => ({ productId, quantity: Number(quantity) }))
        .filter((line) => Number.isInteger(line.quantity) && line.quantity > 0);
    },

    async hasLine(userId, productId) {
      return (await redis.hexists(cartKey(userId), productId)) === 1;
    },

    async add(userId, productId, quantity, stock) {
      const [code, value] = await scripted.cartAdd(
        cartKey(userId),
        productId,
        quantity,
        limits.maxQuantityPerLine,
        limits.maxLines,
        limits.ttlSeconds,
        stock,
      );
      if (code === 1) return { ok: true, quantity: value };
      const reason = code === 0 ? 'line_limit' : code === -1 ? 'above_stock' : 'cart_full';
      return { ok: false, reason, current: value };
    },

    async set(userId, productId, quantity) {
      const done = await scripted.cartSet(cartKey(userId), productId, quantity, limits.ttlSeconds);
      return done === 1 ? { ok: true } : { ok: false, reason: 'no_line' };
    },

    async remove(userId, productId) {
      const key = cartKey(userId);
      const results = await redis.multi().hdel(key, productId).expire(key, limits.ttlSeconds).exec();
      const [error, removed] = results?.[0] ?? [null, 0];
      if (error) throw error;
      return removed === 1;
    },

    async removeMany(userId, productIds) {
      if (productIds.length > 0) await redis.hdel(cartKey(userId), ...productIds);
    },

    async clear(userId) {
      await redis.del(cartKey(userId));
    },
  };
}
