// Product routes: public reads, admin writes. Schemas here are the validation, the serialization,
// the OpenAPI document and the TypeScript types at once.
import { Type } from '@sinclair/typebox';
import { requireAdmin } from '@minishop/kit/auth-guard';
import type { App } from '@minishop/kit/http';
import {
  Currency,
  IdParams,
  Money,
  MoneyInput,
  PageQuery,
  Problem,
  Timestamp,
  Uuid,
} from '@minishop/kit/schemas';
import type { CatalogContext } from '../domain/context.ts';
import * as products from '../domain/products.ts';

const TAG = 'products';
const SECURED = [{ bearer: [] }];

/**
 * Product reads (the list, one product, a lookup) may be served up to a second old by a shared
 * cache (the gateway's, the cart's copies of products): prices and stock shown are that fresh,
 * while checkout always reserves against the live stock and charges the reserved price. A client
 * that must see the latest sends `Cache-Control: no-cache`.
 */
const PUBLIC_READ = 'public, max-age=1';

export const ProductResponse = Type.Object({
  id: Uuid,
  name: Type.String(),
  description: Type.String(),
  price: Money,
  currency: Currency,
  stock: Type.Integer({ description: 'units available for sale (reserved units are already taken off)' }),
  created_at: Timestamp,
  updated_at: Timestamp,
});

const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const Description = Type.String({ maxLength: 5000 });
const Stock = Type.Integer({ minimum: 0, maximum: 1_000_000_000 });

const CreateProductBody = Type.Object(
  {
    name: Name,
    description: Type.Optional({ ...Description, default: '' }),
    price: MoneyInput,
    stock: Type.Optional({ ...Stock, default: 0 }),
  },
  { additionalProperties: false },
);

const UpdateProductBody = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    price: Type.Optional(MoneyInput),
    stock: Type.Optional(Stock),
  },
  { additionalProperties: false, minProperties: 1 },
);

const SortOrder = Type.Union(
  [
    Type.Literal('name'),
    Type.Literal('-name'),
    Type.Literal('price'),
    Type.Literal('-price'),
    Type.Literal('created_at'),
    Type.Literal('-created_at'),
  ],
  { default: 'created_at', description: 'field to sort by; a leading - sorts descending' },
);

const ListQuery = Type.Object({
  ...PageQuery,
  q: Type.Optional(Type.String({ maxLength: 200, description: 'text searched in name and description' })),
  sort: SortOrder,
});

const LookupBody = Type.Object(
  { ids: Type.Array(Uuid, { minItems: 1, maxItems: 100 }) },
  { additionalProperties: false },
);

export function productRoutes(app: App, ctx: CatalogContext): void {
  productCatalogRoutes(app, ctx);
  productChangeRoutes(app, ctx);
}

/** Creating products and reading them. */
function productCatalogRoutes(app: App, ctx: CatalogContext): void {
  app.post(
    '/catalog/products',
    {
      onRequest: requireAdmin,
      schema: {
        tags: [TAG],
        summary: 'Create a product (admin)',
        security: SECURED,
        body: CreateProductBody,
        response: { 201: ProductResponse, 400: Problem, 401: Problem, 403: Problem, 422: Problem },
      },
    },
    async (request, reply) => reply.code(201).send(await products.createProduct(ctx, request.body)),
  );

  app.get(
    '/catalog/products',
    {
      schema: {
        tags: [TAG],
        summary: 'List products (public); the X-Total-Count header carries the number of matches',
        querystring: ListQuery,
        response: { 200: Type.Array(ProductResponse), 422: Problem },
      },
    },
    async (request, reply) => {
      const { items, total } = await products.listProducts(ctx, request.query);
      reply.header('x-total-count', String(total)).header('cache-control', PUBLIC_READ);
      return items;
    },
  );

  app.post(
    '/catalog/products/lookup',
    {
      schema: {
        tags: [TAG],
        summary: 'Current products and prices for a set of ids (public); unknown or deleted ids are left out',
        body: LookupBody,
        response: { 200: Type.Array(ProductResponse), 400: Problem, 422: Problem },
      },
    },
    async (request, reply) => {
      const found = await products.lookupProducts(ctx, request.body.ids);
      // The same representations as the product reads, so just as fresh (for the cart's copies).
      reply.header('cache-control', PUBLIC_READ);
      return found;
    },
  );

  app.get(
    '/catalog/products/:id',
    {
      schema: {
        tags: [TAG],
        summary: 'Get a product (public)',
        params: IdParams,
        response: { 200: ProductResponse, 404: Problem, 422: Problem },
      },
    },
    async (request, reply) => {
      const product = await products.getProduct(ctx, request.params.id);
      reply.header('cache-control', PUBLIC_READ);
      return product;
    },
  );
}

/** Changing and deleting products (admins). */
function productChangeRoutes(app: App, ctx: CatalogContext): void {
  app.patch(
    '/catalog/products/:id',
    {
      onRequest: requireAdmin,
      schema: {
        tags: [TAG],
        summary: 'Change some of a product’s fields (admin)',
        security: SECURED,
        params: IdParams,
        body: UpdateProductBody,
        response: {
          200: ProductResponse,
          400: Problem,
          401: Problem,
          403: Problem,
          404: Problem,
          422: Problem,
        },
      },
    },
    async (request) => products.updateProduct(ctx, request.params.id, request.body),
  );

  app.delete(
    '/catalog/products/:id',
    {
      onRequest: requireAdmin,
      schema: {
        tags: [TAG],
        summary: 'Delete a product (admin); existing reservations of it stay valid',
        security: SECURED,
        params: IdParams,
        response: { 204: Type.Null(), 401: Problem, 403: Problem, 404: Problem, 422: Problem },
      },
    },
    async (request, reply) => {
      await products.deleteProduct(ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
