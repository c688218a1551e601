// Sessions: login issues an access token and the first refresh token of a new family; each
// refresh rotates the token; presenting a token that was already rotated revokes its family.
import { randomUUID } from 'node:crypto';
import { Unauthorized } from '@minishop/kit/errors';
import { withTransaction } from '@minishop/kit/db';
import { findUserById, findUserForLogin, replacePasswordHash, type User } from '../data/users.repository.ts';
import {
  findRefreshToken,
  findRefreshTokenForUpdate,
  insertRefreshToken,
  markUsed,
  revokeFamily,
} from '../data/refresh-tokens.repository.ts';
import type { Queryable } from '@minishop/kit/db';
import { hashToken, newOpaqueToken, userAccessToken } from './tokens.ts';
import type { AuthContext } from './context.ts';
import { normaliseIdentifier } from './login-limits.ts';

export interface AccessToken {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  refresh_token: string;
}

const BAD_CREDENTIALS = 'incorrect username or password';
const BAD_REFRESH = 'refresh token is invalid or expired';

export async function login(
  ctx: AuthContext,
  input: { username: string; password: string; ip: string },
): Promise<AccessToken> {
  const user = await findUserForLogin(ctx.pool, input.username.trim());
  // Attempts count per account, whether it is named by username or email; unknown names count too.
  const account = user ? `user:${user.id}` : `name:${normaliseIdentifier(input.username)}`;
  await ctx.limiter.attempt(account, input.ip);
  // An unknown account costs the same hash verification as a known one, so timing tells nothing.
  const ok = await ctx.passwords.verify(user?.password_hash ?? null, input.password);
  if (!user || !ok) throw new Unauthorized(BAD_CREDENTIALS);
  await ctx.limiter.succeeded(account);
  // A hash made at an older cost is upgraded while the password is at hand.
  if (ctx.passwords.isOutdated(user.password_hash)) {
    const upgraded = await ctx.passwords.hash(input.password);
    await replacePasswordHash(ctx.pool, user.id, user.password_hash, upgraded);
  }
  return issueTokens(ctx, ctx.pool, user, randomUUID());
}

async function issueTokens(
  ctx: AuthContext,
  db: Queryable,
  user: User,
  familyId: string,
): Promise<AccessToken> {
  const refreshToken = newOpaqueToken();
  await insertRefreshToken(db, {
    tokenHash: hashToken(refreshToken),
    familyId,
    userId: user.id,
    ttlSeconds: ctx.refreshTtlSeconds,
  });
  return {
    access_token: userAccessToken(ctx.keys, ctx.tokens, user),
    token_type: 'bearer',
    expires_in: ctx.tokens.accessTtlSeconds,
    refresh_token: refreshToken,
  };
}

export async function refresh(ctx: AuthContext, refreshToken: string): Promise<AccessToken> {
  const outcome = await withTransaction(ctx.pool, async (db) => {
    const row = await findRefreshTokenForUpdate(db, hashToken(refreshToken));
    if (!row || row.revoked_at || row.expires_at.getTime() <= Date.now()) return null;
    if (row.used_at) {
      // The token was already exchanged: someone holds a copy. End the whole session.
      await revokeFamily(db, row.family_id);
      return null;
    }
    const user = await findUserById(db, row.user_id);
    if (!user) return null;
    await markUsed(db, row.id);
    return issueTokens(ctx, db, user, row.family_id);
  });
  // Thrown after the transaction so that a family revocation is committed.
  if (!outcome) throw new Unauthorized(BAD_REFRESH);
  return outcome;
}

/** Revokes the session of the given refresh token when it belongs to the user. */
export async function logout(
  ctx: AuthContext,
  userId: string,
  refreshToken: string | undefined,
): Promise<void> {
  if (!refreshToken) return;
  const row = await findRefreshToken(ctx.pool, hashToken(refreshToken));
  if (row && row.user_id === userId) await revokeFamily(ctx.pool, row.family_id);
}
