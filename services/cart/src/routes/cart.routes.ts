// HTTP routes of the cart: a signed-in user's own cart, plus the internal read and clear that
// Orders calls with a service token during checkout.
import { Type, type Static } from '@sinclair/typebox';
import { principalOf, requireScope, requireUser } from '@minishop/kit/auth-guard';
import type { App } from '@minishop/kit/http';
import { Currency, MessageResponse, Money, Problem, Uuid } from '@minishop/kit/schemas';
import {
  addItem,
  clearCart,
  MAX_LINES,
  MAX_QUANTITY_PER_LINE,
  removeItem,
  setQuantity,
  viewCart,
  type CartDeps,
} from '../domain/cart.ts';
import { internalOperation } from '@minishop/kit/internal-route';

const Quantity = Type.Integer({
  minimum: 1,
  maximum: MAX_QUANTITY_PER_LINE,
  description: 'units of the product',
});

export const AddItemBody = Type.Object(
  { product_id: Uuid, quantity: Quantity },
  { additionalProperties: false },
);
export type AddItemBody = Static<typeof AddItemBody>;

export const SetQuantityBody = Type.Object({ quantity: Quantity }, { additionalProperties: false });
export type SetQuantityBody = Static<typeof SetQuantityBody>;

const ProductParams = Type.Object({ product_id: Uuid }, { additionalProperties: false });
const UserParams = Type.Object({ user_id: Uuid }, { additionalProperties: false });

export const CartItem = Type.Object({
  product_id: Uuid,
  name: Type.String(),
  unit_price: Money,
  quantity: Type.Integer(),
  line_total: Money,
});

export const CartResponse = Type.Object({
  user_id: Type.String(),
  items: Type.Array(CartItem),
  total_price: Money,
  currency: Currency,
});
export type CartResponse = Static<typeof CartResponse>;

const tags = ['cart'];
const security = [{ bearer: [] }];
const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem, 503: Problem };

export function cartRoutes(app: App, deps: CartDeps): void {
  app.get(
    '/cart',
    {
      onRequest: requireUser,
      schema: {
        tags,
        security,
        summary: 'Your cart with current prices',
        response: { 200: CartResponse, ...errors },
      },
    },
    async (request) => viewCart(deps, principalOf(request).id, request.id),
  );

  app.post(
    '/cart/items',
    {
      onRequest: requireUser,
      schema: {
        tags,
        security,
        summary: 'Add a product (adds to an existing line)',
        description: `A line holds 1–${MAX_QUANTITY_PER_LINE} units and never more than the stock; a cart holds at most ${MAX_LINES} lines (409 when full).`,
        body: AddItemBody,
        response: { 200: MessageResponse, 409: Problem, ...errors },
      },
    },
    async (request) => {
      const { product_id, quantity } = request.body;
      const added = await addItem(deps, principalOf(request).id, product_id, quantity, request.id);
      return { message: `${added.product.name} added; the cart now holds ${added.quantity}` };
    },
  );

  app.patch(
    '/cart/items/:product_id',
    {
      onRequest: requireUser,
      schema: {
        tags,
        security,
        summary: 'Set the quantity of a line',
        params: ProductParams,
        body: SetQuantityBody,
        response: { 200: MessageResponse, 409: Problem, ...errors },
      },
    },
    async (request) => {
      const product = await setQuantity(
        deps,
        principalOf(request).id,
        request.params.product_id,
        request.body.quantity,
        request.id,
      );
      return { message: `${product.name} quantity set to ${request.body.quantity}` };
    },
  );

  app.delete(
    '/cart/items/:product_id',
    {
      onRequest: requireUser,
      schema: {
        tags,
        security,
        summary: 'Remove a line',
        params: ProductParams,
        response: { 200: MessageResponse, ...errors },
      },
    },
    async (request) => {
      await removeItem(deps, principalOf(request).id, request.params.product_id);
      return { message: 'item removed from cart' };
    },
  );

  app.delete(
    '/cart',
    {
      onRequest: requireUser,
      schema: { tags, security, summary: 'Empty your cart', response: { 200: MessageResponse, ...errors } },
    },
    async (request) => {
      await clearCart(deps, principalOf(request).id);
      return { message: 'cart cleared' };
    },
  );

  internalCartRoutes(app, deps);
}

/** What other services may do to a user's cart, each with its own service scope. */
function internalCartRoutes(app: App, deps: CartDeps): void {
  app.get(
    '/cart/internal/:user_id',
    {
      onRequest: requireScope('cart:read'),
      schema: internalOperation({
        tags: ['internal'],
        security,
        summary: "A user's cart (service scope cart:read)",
        params: UserParams,
        response: { 200: CartResponse, ...errors },
      }),
    },
    async (request) => viewCart(deps, request.params.user_id, request.id),
  );

  app.delete(
    '/cart/internal/:user_id',
    {
      onRequest: requireScope('cart:clear'),
      schema: internalOperation({
        tags: ['internal'],
        security,
        summary: "Empty a user's cart (service scope cart:clear)",
        params: UserParams,
        response: { 200: MessageResponse, ...errors },
      }),
    },
    async (request) => {
      await clearCart(deps, request.params.user_id);
      return { message: 'cart cleared' };
    },
  );
}
