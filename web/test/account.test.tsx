import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { RegisterPage, safeNext, SignInPage } from '../src/pages/account.tsx';
import { json, renderPage } from './render.tsx';

function token(claims: Record<string, unknown>): string {
  const part = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, '');
  return `${part({ alg: 'EdDSA' })}.${part(claims)}.sig`;
}

describe('signing in', () => {
  it('sends username or email as typed, keeps the token out of storage, and returns to the page that asked', async () => {
    const user = userEvent.setup();
    const access = token({
      sub: 'u1',
      username: 'ada',
      email: 'ada@example.com',
      role: 'customer',
      exp: Date.now() / 1000 + 900,
    });
    const { sent, router } = renderPage(<SignInPage />, {
      url: '/signin?next=%2Fbag',
      pattern: '/signin',
      answer: () => json(200, { access_token: access, token_type: 'bearer', expires_in: 900 }),
    });
    await user.type(screen.getByLabelText('Username or email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/bag'));

    expect(sent[0]).toMatchObject({
      method: 'POST',
      path: '/auth/login',
      body: { username: 'ada@example.com', password: 'correct horse' },
    });
    expect(sent[0]!.headers.get('x-minishop-client')).toBe('web');
    expect(JSON.stringify({ ...localStorage })).not.toContain(access);
  });

  it('announces a refused sign-in with the server’s words', async () => {
    const user = userEvent.setup();
    renderPage(<SignInPage />, {
      url: '/signin',
      answer: () => json(401, { title: 'Unauthorized', status: 401, detail: 'wrong username or password' }),
    });
    await user.type(screen.getByLabelText('Username or email'), 'ada');
    await user.type(screen.getByLabelText('Password'), 'nope nope');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toContain('wrong username or password');
  });

  it('only returns to paths of this app', () => {
    expect(safeNext('/account/orders?page=2')).toBe('/account/orders?page=2');
    expect(safeNext('//evil.example/')).toBe('/');
    expect(safeNext('https://evil.example/')).toBe('/');
    expect(safeNext(null)).toBe('/');
  });
});

describe('registering', () => {
  it('puts the server’s field problems next to the field', async () => {
    const user = userEvent.setup();
    renderPage(<RegisterPage />, {
      url: '/register',
      answer: () =>
        json(409, {
          title: 'Conflict',
          status: 409,
          detail: 'username taken',
          errors: [{ field: 'username', message: 'This username is taken.' }],
        }),
    });
    await user.type(screen.getByLabelText('Username'), 'ada');
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    await screen.findByText('This username is taken.');
    expect(screen.getByLabelText('Username').getAttribute('aria-invalid')).toBe('true');
  });
});
