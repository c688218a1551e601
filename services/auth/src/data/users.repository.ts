// SQL for accounts. Usernames and emails are matched case-insensitively (unique lower() indexes).
import type { Queryable } from '@minishop/kit/db';

export type UserRole = 'customer' | 'admin';

export interface User {
  id: string;
  username: string;
  email: string;
  email_verified: boolean;
  role: UserRole;
  created_at: Date;
}

export interface UserWithHash extends User {
  password_hash: string;
}

const COLUMNS = 'id, username, email, email_verified, role, created_at';

export async function insertUser(
  db: Queryable,
  user: { username: string; email: string; passwordHash: string; role: UserRole; emailVerified?: boolean },
): Promise<User> {
  const { rows } = await db.query<User>(
    `INSERT INTO users (username, email, password_hash, role, email_verified)
     VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
    [user.username, user.email, user.passwordHash, user.role, user.emailVerified ?? false],
  );
  return rows[0] as User;
}

export async function findUserById(db: Queryable, id: string): Promise<User | null> {
  const { rows } = await db.query<User>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/** Finds by email when the identifier holds an @ (usernames cannot), else by username. */
export async function findUserForLogin(db: Queryable, identifier: string): Promise<UserWithHash | null> {
  const column = identifier.includes('@') ? 'email' : 'username';
  const { rows } = await db.query<UserWithHash>(
    `SELECT ${COLUMNS}, password_hash FROM users WHERE lower(${column}) = lower($1)`,
    [identifier],
  );
  return rows[0] ?? null;
}

export async function findUserByEmail(db: Queryable, email: string): Promise<User | null> {
  const { rows } = await db.query<User>(`SELECT ${COLUMNS} FROM users WHERE lower(email) = lower($1)`, [
    email,
  ]);
  return rows[0] ?? null;
}

/** Replaces the hash only if it is still the one that was read (a concurrent change wins). */
export async function replacePasswordHash(
  db: Queryable,
  id: string,
  previous: string,
  next: string,
): Promise<void> {
  await db.query(
    'UPDATE users SET password_hash = $3, updated_at = now() WHERE id = $1 AND password_hash = $2',
    [id, previous, next],
  );
}

export async function setRole(db: Queryable, id: string, role: UserRole): Promise<void> {
  await db.query('UPDATE users SET role = $2, updated_at = now() WHERE id = $1 AND role <> $2', [id, role]);
}

export async function markEmailVerified(db: Queryable, id: string): Promise<User | null> {
  const { rows } = await db.query<User>(
    `UPDATE users SET email_verified = true, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
    [id],
  );
  return rows[0] ?? null;
}
