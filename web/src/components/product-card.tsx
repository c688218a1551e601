// A product in a list: its picture, name, price and how many are left, as one link.
import { Link } from 'react-router';
import type { Product } from '../api/types.ts';
import { pathTo } from '../routes.ts';
import { Money } from './money.tsx';
import { ProductArt } from './product-art.tsx';

const FEW_LEFT = 5;

export function stockNote(stock: number): { text: string; tone: 'out' | 'low' | 'ok' } {
  if (stock <= 0) return { text: 'Out of stock', tone: 'out' };
  if (stock <= FEW_LEFT) return { text: `Only ${stock} left`, tone: 'low' };
  return { text: 'In stock', tone: 'ok' };
}

export function StockNote({ stock }: { stock: number }) {
  const note = stockNote(stock);
  return <span className={`stock stock-${note.tone}`}>{note.text}</span>;
}

export function ProductCard({ product }: { product: Product }) {
  return (
    <li className="product-card">
      <Link to={pathTo('product', { id: product.id })} className="product-card-link">
        <ProductArt id={product.id} name={product.name} />
        <span className="product-card-name">{product.name}</span>
      </Link>
      <span className="product-card-meta">
        <Money amount={product.price} currency={product.currency} className="price" />
        <StockNote stock={product.stock} />
      </span>
    </li>
  );
}
