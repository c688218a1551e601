// The frame around every page: a skip link, the header with the shop's name and navigation
// (the bag's count, orders and admin only for those who may see them), and the footer.
import { Suspense } from 'react';
import { Link, NavLink, Outlet } from 'react-router';
import { useCart } from '../api/queries.ts';
import { useSession } from '../auth/session.ts';
import { pathTo } from '../routes.ts';
import { Loading } from './feedback.tsx';

function BagLink({ signedIn }: { signedIn: boolean }) {
  const cart = useCart(signedIn);
  const count = cart.data?.items.reduce((n, line) => n + line.quantity, 0) ?? 0;
  return (
    <NavLink to={pathTo('bag')} className="nav-link nav-bag">
      Bag
      {count > 0 && (
        <span className="bag-count">
          <span aria-hidden="true">{count}</span>
          <span className="visually-hidden">
            , {count} {count === 1 ? 'item' : 'items'}
          </span>
        </span>
      )}
    </NavLink>
  );
}

export function Layout() {
  const session = useSession();
  const signedIn = session.status === 'signed-in';
  const isAdmin = signedIn && session.user.role === 'admin';
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className="header-inner">
          <Link to="/" className="brand" aria-label="Minishop home">
            <svg viewBox="0 0 32 32" aria-hidden="true" focusable="false">
              <rect width="32" height="32" rx="7" fill="currentColor" />
              <path d="M9 12h14l-1.5 11h-11z" fill="#f4efe6" />
              <path d="M12.5 12a3.5 3.5 0 0 1 7 0" fill="none" stroke="#f4efe6" strokeWidth="2" />
            </svg>
            <span>Minishop</span>
          </Link>
          <nav aria-label="Main" className="main-nav">
            <NavLink to="/" end className="nav-link">
              Shop
            </NavLink>
            {signedIn && (
              <NavLink to={pathTo('orders')} className="nav-link">
                My orders
              </NavLink>
            )}
            {isAdmin && (
              <NavLink to={pathTo('admin')} className="nav-link">
                Admin
              </NavLink>
            )}
            {signedIn ? (
              <NavLink to={pathTo('account')} end className="nav-link">
                Account
              </NavLink>
            ) : (
              <NavLink to={pathTo('signIn')} className="nav-link">
                Sign in
              </NavLink>
            )}
            <BagLink signedIn={signedIn} />
          </nav>
        </div>
      </header>
      <main id="main" className="site-main">
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
      <footer className="site-footer">
        <p>Minishop · free delivery over $50 · 30-day returns</p>
        <p>Payments in this shop use the provider's test cards; no real money moves.</p>
      </footer>
    </>
  );
}
