// Product pictures drawn from the product itself: a palette and a still life chosen by a hash
// of its id and the initials of its name. Shipped as code, so no image comes from elsewhere.

const PALETTES = [
  ['#e9dccb', '#c8553d', '#2d4739'],
  ['#dfe7e2', '#3d6b5a', '#e0a458'],
  ['#efe3d0', '#8c5e3c', '#33415c'],
  ['#e3e8f0', '#4a6fa5', '#d98e73'],
  ['#f1e4e8', '#a4476d', '#3c4a3e'],
  ['#e8eadf', '#6b7f3a', '#b5552f'],
] as const;

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter((w) => /^[A-Za-z0-9]/.test(w))
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('');
}

export function ProductArt({ id, name, className }: { id: string; name: string; className?: string }) {
  const h = hash(id);
  const [paper, accent, ink] = PALETTES[h % PALETTES.length]!;
  const shape = (h >>> 8) % 3;
  const tilt = ((h >>> 12) % 30) - 15;
  return (
    <svg
      className={`product-art ${className ?? ''}`}
      viewBox="0 0 200 150"
      aria-hidden="true"
      focusable="false"
    >
      <rect width="200" height="150" fill={paper} />
      <circle cx={40 + ((h >>> 4) % 120)} cy="34" r="46" fill={accent} opacity="0.18" />
      <ellipse cx="100" cy="128" rx="62" ry="8" fill={ink} opacity="0.12" />
      <g transform={`rotate(${tilt} 100 85)`}>
        {shape === 0 && <rect x="64" y="46" width="72" height="80" rx="10" fill={accent} />}
        {shape === 1 && <circle cx="100" cy="86" r="42" fill={accent} />}
        {shape === 2 && <path d="M100 40 L146 124 L54 124 Z" fill={accent} />}
      </g>
      <text
        x="100"
        y="96"
        textAnchor="middle"
        fontSize="26"
        fontWeight="700"
        fill={paper}
        fontFamily="system-ui, sans-serif"
      >
        {initials(name)}
      </text>
    </svg>
  );
}
