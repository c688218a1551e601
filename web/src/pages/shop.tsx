// The storefront: the catalog with search, sort and pages, all kept in the URL
// (`/?q=mug&sort=price&page=2`), so a link, a reload or the back button shows the same list.
import { useSearchParams } from 'react-router';
import { PAGE_SIZE, useProducts } from '../api/queries.ts';
import type { ProductSort } from '../api/types.ts';
import { EmptyState, Loading, QueryState } from '../components/feedback.tsx';
import { Page } from '../components/page.tsx';
import { Pager, usePageParam } from '../components/pager.tsx';
import { ProductCard } from '../components/product-card.tsx';

export const SORTS: { value: string; label: string; api: ProductSort }[] = [
  { value: 'newest', label: 'Newest first', api: '-created_at' },
  { value: 'name', label: 'Name, A to Z', api: 'name' },
  { value: 'price', label: 'Price, low to high', api: 'price' },
  { value: 'price-desc', label: 'Price, high to low', api: '-price' },
];

export function ShopPage() {
  const [params, setParams] = useSearchParams();
  const q = (params.get('q') ?? '').trim();
  const sort = SORTS.find((s) => s.value === params.get('sort')) ?? SORTS[0]!;
  const pageNumber = usePageParam();
  const products = useProducts({ q, sort: sort.api, page: pageNumber });

  const update = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    next.delete('page');
    setParams(next);
  };

  return (
    <Page title={q ? `Search: ${q}` : 'Shop'} heading="Good things for every day">
      <div className="catalog-tools">
        <form
          role="search"
          className="search"
          onSubmit={(e) => {
            e.preventDefault();
            update({ q: String(new FormData(e.currentTarget).get('q') ?? '').trim() });
          }}
        >
          <label htmlFor="search-q" className="visually-hidden">
            Search products
          </label>
          <input
            id="search-q"
            key={q}
            name="q"
            type="search"
            defaultValue={q}
            placeholder="Search products"
          />
          <button type="submit" className="button">
            Search
          </button>
        </form>
        <div className="sort">
          <label htmlFor="sort">Sort by</label>
          <select
            id="sort"
            value={sort.value}
            onChange={(e) => update({ sort: e.target.value === 'newest' ? '' : e.target.value })}
          >
            {SORTS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <QueryState
        query={products}
        loading={<Loading label="Loading products…" lines={4} />}
        isEmpty={(data) => data.items.length === 0}
        empty={
          <EmptyState title={q ? `Nothing matches “${q}”` : 'The shelves are empty'}>
            {q && (
              <button type="button" className="button button-secondary" onClick={() => update({ q: '' })}>
                Show all products
              </button>
            )}
          </EmptyState>
        }
      >
        {({ items, total }) => (
          <>
            <p className="result-count" role="status">
              {total} {total === 1 ? 'product' : 'products'}
              {q && ` for “${q}”`}
            </p>
            <ul className="product-grid" aria-label="Products">
              {items.map((p) => (
                <ProductCard key={p.id} product={p} />
              ))}
            </ul>
            <Pager total={total} pageSize={PAGE_SIZE} label="Product list" />
          </>
        )}
      </QueryState>
    </Page>
  );
}
