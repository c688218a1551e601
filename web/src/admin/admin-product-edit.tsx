// Creating and editing a product (name, description, price, stock), and deleting it after a
// second, explicit confirmation.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { api, ok } from '../api/client.ts';
import { keys, useProduct } from '../api/queries.ts';
import type { Product } from '../api/types.ts';
import {
  ConfirmButton,
  ErrorNotice,
  FormSubmit,
  Loading,
  Notice,
  QueryState,
} from '../components/feedback.tsx';
import { Fields, type FieldSpec } from '../components/field.tsx';
import { Page } from '../components/page.tsx';
import { useFormMutation } from '../forms/use-form-mutation.ts';
import { validateProduct, type ProductValues } from '../forms/validation.ts';
import { pathTo } from '../routes.ts';

const PRODUCT_FIELDS: (FieldSpec<keyof ProductValues> | FieldSpec<keyof ProductValues>[])[] = [
  { name: 'name', label: 'Name', required: true },
  { name: 'description', label: 'Description', rows: 5 },
  [
    { name: 'price', label: 'Price (USD)', hint: 'For example 19.99', inputMode: 'decimal', required: true },
    { name: 'stock', label: 'Stock', hint: 'Units available to sell', inputMode: 'numeric', required: true },
  ],
];

function toBody(v: ProductValues) {
  return {
    name: v.name.trim(),
    description: v.description.trim(),
    price: v.price.trim(),
    stock: Number(v.stock),
  };
}

function ProductForm({ product }: { product?: Product }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const saved = (useLocation().state as { saved?: boolean } | null)?.saved;
  const {
    form,
    mutation: save,
    onSubmit,
  } = useFormMutation({
    initial: {
      name: product?.name ?? '',
      description: product?.description ?? '',
      price: product?.price ?? '',
      stock: product ? String(product.stock) : '',
    },
    validate: validateProduct,
    send: (v: ProductValues) =>
      product
        ? ok(api.PATCH('/catalog/products/{id}', { params: { path: { id: product.id } }, body: toBody(v) }))
        : ok(api.POST('/catalog/products', { body: toBody(v) })),
    onSuccess: async (p) => {
      await client.invalidateQueries({ queryKey: keys.products });
      navigate(pathTo('adminProduct', { id: p.id }), { replace: true, state: { saved: true } });
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => ok(api.DELETE('/catalog/products/{id}', { params: { path: { id } } })),
    onSuccess: async (_, id) => {
      // The page still shows the product: asking for it again now would only get a 404.
      client.removeQueries({ queryKey: keys.product(id) });
      navigate(pathTo('adminProducts'), { replace: true });
      await client.invalidateQueries({ queryKey: keys.products, predicate: (q) => q.queryKey[1] !== id });
    },
  });

  return (
    <>
      {saved && !save.isPending && <Notice tone="success" title="Product saved" />}
      <form className="stack-form" noValidate onSubmit={onSubmit}>
        <Fields specs={PRODUCT_FIELDS} field={form.field} />
        <div className="form-actions">
          <FormSubmit
            mutation={save}
            errorTitle="The product was not saved"
            label={product ? 'Save changes' : 'Create product'}
            busyLabel="Saving…"
            wide={false}
          />
          <Link to={pathTo('adminProducts')}>Back to products</Link>
        </div>
      </form>
      {product && (
        <section className="danger-zone" aria-labelledby="delete-heading">
          <h2 id="delete-heading">Delete this product</h2>
          <p>It disappears from the shop at once. Orders already placed keep their lines.</p>
          <ErrorNotice error={remove.error} title="The product was not deleted" />
          <ConfirmButton
            label="Delete product"
            confirmLabel={`Yes, delete ${product.name}`}
            keepLabel="Keep it"
            pending={remove.isPending}
            onConfirm={() => remove.mutate(product.id)}
          />
        </section>
      )}
    </>
  );
}

export default function AdminProductEdit() {
  const { id } = useParams();
  const product = useProduct(id ?? '', true);
  if (!id)
    return (
      <Page title="New product" narrow>
        <ProductForm />
      </Page>
    );
  return (
    <Page title={product.data ? `Edit ${product.data.name}` : 'Edit product'} narrow>
      <QueryState query={product} loading={<Loading label="Loading the product…" />}>
        {(p) => <ProductForm key={p.updated_at} product={p} />}
      </QueryState>
    </Page>
  );
}
