// Every page of the app as a path pattern. The router is built from these, and the build writes
// them to dist/routes.json so the gateway answers index.html for exactly these paths. None may
// start with one of the API prefixes the gateway keeps (services/gateway/src/page-routes.ts).

export const PAGES = {
  home: '/',
  product: '/products/:id',
  bag: '/bag',
  checkout: '/checkout',
  checkoutResult: '/checkout/:orderId',
  orders: '/account/orders',
  order: '/account/orders/:id',
  account: '/account',
  signIn: '/signin',
  register: '/register',
  verifyEmail: '/verify-email',
  admin: '/admin',
  adminProducts: '/admin/products',
  adminNewProduct: '/admin/products/new',
  adminProduct: '/admin/products/:id',
  adminOrders: '/admin/orders',
  adminOrder: '/admin/orders/:id',
} as const;

export type PageName = keyof typeof PAGES;

/** Fills a pattern's `:params`: `pathTo('order', { id })` → `/account/orders/<id>`. */
export function pathTo(page: PageName, params: Record<string, string> = {}): string {
  return PAGES[page].replace(/:(\w+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`pathTo(${page}) needs ${name}`);
    return encodeURIComponent(value);
  });
}
