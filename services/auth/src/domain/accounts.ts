// Account use cases: registration (with an email verification token), the profile, email
// verification, and the first admin created from configuration.
import { Conflict, DomainError, NotFound } from '@minishop/kit/errors';
import { isUniqueViolation, withTransaction } from '@minishop/kit/db';
import {
  findUserByEmail,
  findUserById,
  findUserForLogin,
  insertUser,
  markEmailVerified,
  setRole,
  type User,
} from '../data/users.repository.ts';
import {
  findEmailVerificationForUpdate,
  insertEmailVerification,
  markEmailVerificationUsed,
} from '../data/email-verifications.repository.ts';
import { hashToken, newOpaqueToken } from './tokens.ts';
import { checkPasswordChoice } from './password-policy.ts';
import type { AuthContext } from './context.ts';

export interface Registration {
  username: string;
  email: string;
  password: string;
}

export async function register(ctx: AuthContext, input: Registration): Promise<User> {
  checkPasswordChoice(input.password, input);
  const passwordHash = await ctx.passwords.hash(input.password);
  try {
    const { user, token } = await withTransaction(ctx.pool, async (db) => {
      const created = await insertUser(db, {
        username: input.username,
        email: input.email.trim(),
        passwordHash,
        role: 'customer',
      });
      // The raw token goes only into the verification email; we keep its hash.
      const token = newOpaqueToken();
      await insertEmailVerification(db, {
        tokenHash: hashToken(token),
        userId: created.id,
        ttlSeconds: ctx.emailVerificationTtlSeconds,
      });
      return { user: created, token };
    });
    // Mail delivery never fails a registration; the mailer logs its own failures.
    void ctx.mailer.sendVerification(user, token);
    return user;
  } catch (err) {
    if (isUniqueViolation(err)) throw new Conflict('username or email already taken');
    throw err;
  }
}

export async function currentUser(ctx: AuthContext, id: string): Promise<User> {
  const cached = ctx.users.get(id);
  if (cached) return cached;
  const user = await findUserById(ctx.pool, id);
  if (!user) throw new NotFound('user');
  ctx.users.set(user);
  return user;
}

/** The web app's page that confirms an email address; the verification email links to it. */
export function verificationPagePath(token: string): string {
  return `/verify-email?token=${encodeURIComponent(token)}`;
}

export async function verifyEmail(ctx: AuthContext, token: string): Promise<User> {
  const user = await withTransaction(ctx.pool, async (db) => {
    const row = await findEmailVerificationForUpdate(db, hashToken(token));
    if (!row) return null;
    // A link opened twice still answers with the verified account.
    if (row.used_at) return findUserById(db, row.user_id);
    if (row.expires_at.getTime() <= Date.now()) return null;
    await markEmailVerificationUsed(db, hashToken(token));
    return markEmailVerified(db, row.user_id);
  });
  if (!user) throw new DomainError('bad_request', 'verification token is invalid or expired');
  ctx.users.forget(user.id);
  return user;
}

export interface FirstAdmin {
  email: string;
  password: string;
  username: string;
}

/** Creates the configured admin once; if the email already exists, makes sure it is an admin. */
export async function ensureFirstAdmin(
  ctx: Pick<AuthContext, 'pool' | 'passwords'>,
  admin: FirstAdmin,
): Promise<User> {
  const existing = await findUserByEmail(ctx.pool, admin.email);
  if (existing) {
    if (existing.role !== 'admin') await setRole(ctx.pool, existing.id, 'admin');
    return { ...existing, role: 'admin' };
  }
  const passwordHash = await ctx.passwords.hash(admin.password);
  try {
    return await insertUser(ctx.pool, {
      username: admin.username,
      email: admin.email,
      passwordHash,
      role: 'admin',
      emailVerified: true,
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    // Another replica created it at the same moment, or the username belongs to someone else.
    const raced = await findUserByEmail(ctx.pool, admin.email);
    if (raced) {
      await setRole(ctx.pool, raced.id, 'admin');
      return { ...raced, role: 'admin' };
    }
    const holder = await findUserForLogin(ctx.pool, admin.username);
    throw new Error(
      `cannot create the first admin: username ${admin.username} is taken by ${holder?.email ?? 'another account'}; set MINISHOP_ADMIN_USERNAME`,
    );
  }
}
