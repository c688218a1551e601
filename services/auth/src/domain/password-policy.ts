// Which passwords people may not choose, as NIST SP 800-63B asks (§3.1.1.2): none found in breach
// corpora and lists of the most used ones, and none made of the account's own name. The list is
// the offline one zxcvbn-ts ships (about 49,000 passwords ranked by how often they appeared in
// breaches); only those long enough to pass the length rule are kept, compared without case.
import { dictionary } from '@zxcvbn-ts/language-common';
import { ValidationFailed } from '@minishop/kit/errors';

export const MIN_PASSWORD_LENGTH = 8;

const COMMON: ReadonlySet<string> = new Set(
  dictionary['passwords-common']
    .filter((password) => password.length >= MIN_PASSWORD_LENGTH)
    .map((password) => password.toLowerCase()),
);

function refuse(message: string): never {
  throw new ValidationFailed(`password is not allowed: ${message}`, [{ field: 'body.password', message }]);
}

/** Throws ValidationFailed (422) for a password that is common, breached or mostly the account's name. */
export function checkPasswordChoice(password: string, account: { username: string; email: string }): void {
  const lowered = password.toLowerCase();
  if (COMMON.has(lowered)) refuse('it is one of the most common passwords and appears in data breaches');
  const email = account.email.toLowerCase();
  const names = [account.username.toLowerCase(), email, email.split('@')[0] ?? ''].filter(
    (n) => n.length >= 3,
  );
  // Mostly the account's name ("ada12345", "Ada@example.com"): too little is left once it is gone.
  if (names.some((name) => lowered.replaceAll(name, '').length < MIN_PASSWORD_LENGTH)) {
    refuse('it is mostly the username or email address');
  }
  if (new Set(lowered).size === 1) refuse('it repeats a single character');
}
