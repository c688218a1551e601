// Names for the API's shapes, all taken from the generated schema so they follow the API.
import type { paths } from './schema.d.ts';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Ok<P extends keyof paths, M extends keyof paths[P], S extends number = 200> = paths[P][M] extends {
  responses: infer R;
}
  ? S extends keyof R
    ? Json<R[S]>
    : never
  : never;

export type Product = Ok<'/catalog/products/{id}', 'get'>;
export type Cart = Ok<'/cart', 'get'>;
export type Order = Ok<'/orders/{id}', 'get'>;
export type OrderStatus = Order['status'];
export type Shipment = Ok<'/shipping/{id}', 'get'>;
export type ShipmentStatus = Shipment['status'];
export type Payment = Ok<'/payments/{id}', 'get'>;
export type PaymentStatus = Payment['status'];
export type ProductSort = NonNullable<
  NonNullable<paths['/catalog/products']['get']['parameters']['query']>['sort']
>;
