// Pages of a list, kept in the URL's `page` parameter (or another one, for a second list on the
// same page) so reload, links and back keep the place.
import { Link, useSearchParams } from 'react-router';

export function usePageParam(param = 'page'): number {
  const [params] = useSearchParams();
  const n = Number(params.get(param) ?? '1');
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

export function Pager({
  total,
  pageSize,
  label,
  param = 'page',
}: {
  total: number;
  pageSize: number;
  label: string;
  param?: string;
}) {
  const [params] = useSearchParams();
  const current = usePageParam(param);
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages <= 1) return null;
  const hrefFor = (n: number) => {
    const next = new URLSearchParams(params);
    if (n === 1) next.delete(param);
    else next.set(param, String(n));
    const query = next.toString();
    return query ? `?${query}` : '?';
  };
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      {current > 1 ? (
        <Link className="button button-secondary" to={hrefFor(current - 1)} rel="prev">
          ← Previous
        </Link>
      ) : (
        <span className="button button-secondary" aria-disabled="true">
          ← Previous
        </span>
      )}
      <span className="pager-where" aria-current="page">
        Page {current} of {pages}
      </span>
      {current < pages ? (
        <Link className="button button-secondary" to={hrefFor(current + 1)} rel="next">
          Next →
        </Link>
      ) : (
        <span className="button button-secondary" aria-disabled="true">
          Next →
        </span>
      )}
    </nav>
  );
}
