// Pages that need a signed-in shopper send others to sign in (and back afterwards); admin pages
// tell a customer plainly that they are not for them. The API refuses them in any case.
import type { ReactNode } from 'react';
import { Link, Navigate, useLocation } from 'react-router';
import { useSession } from '../auth/session.ts';
import { pathTo } from '../routes.ts';
import { Loading } from './feedback.tsx';
import { Page } from './page.tsx';

export function RequireSignIn({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session.status === 'starting') return <Loading label="Signing you in…" />;
  if (session.status === 'signed-out') {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`${pathTo('signIn')}?next=${encodeURIComponent(next)}`} replace />;
  }
  return <>{children}</>;
}

export function RequireAdmin({ children }: { children: ReactNode }) {
  const session = useSession();
  return (
    <RequireSignIn>
      {session.status === 'signed-in' && session.user.role !== 'admin' ? (
        <Page title="Not available" narrow>
          <p>
            This part of Minishop is for the shop's staff. Your account can shop, see its orders and manage
            itself.
          </p>
          <p>
            <Link to="/">Back to the shop</Link>
          </p>
        </Page>
      ) : (
        children
      )}
    </RequireSignIn>
  );
}
