// The router: every page from routes.ts with what it shows and who may see it. Admin pages are
// loaded on first use so that shoppers never download them.
import { Fragment, lazy, type ComponentType, type ReactNode } from 'react';
import { createBrowserRouter, type RouteObject } from 'react-router';
import { RequireAdmin, RequireSignIn } from './components/guards.tsx';
import { Layout } from './components/layout.tsx';
import { AccountPage, RegisterPage, SignInPage } from './pages/account.tsx';
import { BagPage } from './pages/bag.tsx';
import { CheckoutPage } from './pages/checkout.tsx';
import { CheckoutResultPage } from './pages/checkout-result.tsx';
import { NotFoundPage } from './pages/not-found.tsx';
import { OrderPage, OrdersPage } from './pages/orders.tsx';
import { ProductPage } from './pages/product.tsx';
import { ShopPage } from './pages/shop.tsx';
import { VerifyEmailPage } from './pages/verify-email.tsx';
import { PAGES, type PageName } from './routes.ts';

const AdminHome = lazy(() => import('./admin/admin-home.tsx'));
const AdminProducts = lazy(() => import('./admin/admin-products.tsx'));
const AdminProductEdit = lazy(() => import('./admin/admin-product-edit.tsx'));
const AdminOrders = lazy(() => import('./admin/admin-orders.tsx'));
const AdminOrder = lazy(() => import('./admin/admin-order.tsx'));

/** One audience's pages, each shown inside that audience's guard (none for pages open to all). */
function pagesFor<N extends PageName>(
  pages: Record<N, ComponentType>,
  Guard: ComponentType<{ children: ReactNode }> = Fragment,
): Record<N, ReactNode> {
  const entries = Object.entries<ComponentType>(pages).map(([name, Shown]) => [
    name,
    <Guard key={name}>
      <Shown />
    </Guard>,
  ]);
  return Object.fromEntries(entries) as Record<N, ReactNode>;
}

const ELEMENTS: Record<PageName, ReactNode> = {
  ...pagesFor({ home: ShopPage, product: ProductPage, signIn: SignInPage, register: RegisterPage }),
  ...pagesFor({ verifyEmail: VerifyEmailPage }),
  ...pagesFor({ bag: BagPage, checkout: CheckoutPage, checkoutResult: CheckoutResultPage }, RequireSignIn),
  ...pagesFor({ orders: OrdersPage, order: OrderPage, account: AccountPage }, RequireSignIn),
  ...pagesFor({ admin: AdminHome, adminProducts: AdminProducts, adminOrders: AdminOrders }, RequireAdmin),
  ...pagesFor({ adminNewProduct: AdminProductEdit, adminProduct: AdminProductEdit }, RequireAdmin),
  ...pagesFor({ adminOrder: AdminOrder }, RequireAdmin),
};

const pages: RouteObject[] = (Object.keys(PAGES) as PageName[]).map((name) =>
  PAGES[name] === '/'
    ? { index: true, element: ELEMENTS[name] }
    : { path: PAGES[name], element: ELEMENTS[name] },
);

export const router = createBrowserRouter([
  { path: '/', element: <Layout />, children: [...pages, { path: '*', element: <NotFoundPage /> }] },
]);
