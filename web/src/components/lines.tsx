// The lines of a bag or an order with their prices and the total, all as the server computed
// them; a bag adds its controls to each line through `controls`.
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { pathTo } from '../routes.ts';
import { Money } from './money.tsx';
import { ProductArt } from './product-art.tsx';

export interface Line {
  product_id: string;
  name: string;
  unit_price: string;
  quantity: number;
  line_total: string;
}

export function Lines(props: {
  items: Line[];
  currency: string;
  total: string;
  controls?: (line: Line) => ReactNode;
  label?: string;
}) {
  return (
    <div className="lines">
      <ul aria-label={props.label ?? 'Items'}>
        {props.items.map((line) => (
          <li key={line.product_id} className="line">
            <ProductArt id={line.product_id} name={line.name} className="line-art" />
            <div className="line-main">
              <Link to={pathTo('product', { id: line.product_id })} className="line-name">
                {line.name}
              </Link>
              <span className="line-unit">
                <Money amount={line.unit_price} currency={props.currency} /> each
                {!props.controls && <> · quantity {line.quantity}</>}
              </span>
              {props.controls?.(line)}
            </div>
            <Money amount={line.line_total} currency={props.currency} className="line-total" />
          </li>
        ))}
      </ul>
      <p className="lines-total">
        <span>Total</span>
        <Money amount={props.total} currency={props.currency} />
      </p>
    </div>
  );
}
