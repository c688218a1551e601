// Turns the children's output into readable, prefixed lines: each line starts with the padded,
// coloured name of the process, and pino's JSON records are shortened to what a developer reads.

const COLOURS = [36, 33, 32, 35, 34, 91, 92, 93, 94, 95, 96];
const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};
const HIDDEN = new Set([
  'service',
  'level',
  'time',
  'pid',
  'hostname',
  'msg',
  'req',
  'res',
  'err',
  'responseTime',
  'v',
]);

export function useColour(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR;
}

export function makePrefixer(names: readonly string[], colour: boolean): (name: string) => string {
  const width = Math.max(...names.map((n) => n.length));
  return (name) => {
    const padded = name.padEnd(width);
    if (!colour) return `${padded} |`;
    const index = Math.max(0, names.indexOf(name)) % COLOURS.length;
    return `\x1b[${COLOURS[index]}m${padded}\x1b[0m |`;
  };
}

/** A pino JSON record as one short line; anything else is returned unchanged. */
export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof record.level !== 'number') return line;
  const parts: string[] = [];
  const time = typeof record.time === 'number' ? new Date(record.time).toISOString().slice(11, 19) : '';
  if (time) parts.push(time);
  parts.push(LEVELS[record.level] ?? String(record.level));
  if (typeof record.msg === 'string') parts.push(record.msg);
  const req = record.req as { method?: string; url?: string } | undefined;
  if (req?.method) parts.push(`${req.method} ${req.url ?? ''}`);
  const res = record.res as { statusCode?: number } | undefined;
  if (res?.statusCode) parts.push(String(res.statusCode));
  if (typeof record.responseTime === 'number') parts.push(`${record.responseTime.toFixed(1)} ms`);
  for (const [key, value] of Object.entries(record)) {
    if (HIDDEN.has(key) || value === null || typeof value === 'object') continue;
    parts.push(`${key}=${String(value)}`);
  }
  const err = record.err as { message?: string; stack?: string } | undefined;
  let text = parts.join(' ');
  if (err?.stack) text += `\n${err.stack}`;
  else if (err?.message) text += ` (${err.message})`;
  return text;
}
