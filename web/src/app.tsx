// The router: every page from routes.ts with what it shows and who may see it. Admin pages are
// loaded on first use so that shoppers never download them.
import { lazy } from 'react';
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

const signedIn = (page: React.ReactNode) => <RequireSignIn>{page}</RequireSignIn>;
const admin = (page: React.ReactNode) => <RequireAdmin>{page}</RequireAdmin>;

const ELEMENTS: Record<PageName, React.ReactNode> = {
  home: <ShopPage />,
  product: <ProductPage />,
  bag: signedIn(<BagPage />),
  checkout: signedIn(<CheckoutPage />),
  checkoutResult: signedIn(<CheckoutResultPage />),
  orders: signedIn(<OrdersPage />),
  order: signedIn(<OrderPage />),
  account: signedIn(<AccountPage />),
  signIn: <SignInPage />,
  register: <RegisterPage />,
  verifyEmail: <VerifyEmailPage />,
  admin: admin(<AdminHome />),
  adminProducts: admin(<AdminProducts />),
  adminNewProduct: admin(<AdminProductEdit />),
  adminProduct: admin(<AdminProductEdit />),
  adminOrders: admin(<AdminOrders />),
  adminOrder: admin(<AdminOrder />),
};

const pages: RouteObject[] = (Object.keys(PAGES) as PageName[]).map((name) =>
  PAGES[name] === '/'
    ? { index: true, element: ELEMENTS[name] }
    : { path: PAGES[name], element: ELEMENTS[name] },
);

export const router = createBrowserRouter([
  { path: '/', element: <Layout />, children: [...pages, { path: '*', element: <NotFoundPage /> }] },
]);
