// Summarises a V8 .cpuprofile (from `BENCH_PROFILE=gateway npm run bench`): where the process
// spent its own CPU time, by package and by function.
// Usage: node bench/profile-summary.ts <file.cpuprofile> [top]
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

function packageOf(url: string): string {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const src = /\/(services|packages|tools)\/([^/]+)\//.exec(url);
  return src ? `${src[1]}/${src[2]}` : url;
}

function main(): void {
  const [file, topArg] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node bench/profile-summary.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  const top = Number(topArg ?? 25);
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const msPerSample = totalMs / Math.max(1, profile.samples.length);
  const hits = new Map<number, number>();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);

  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let idle = 0;
  let busy = 0;
  for (const node of profile.nodes) {
    const n = hits.get(node.id) ?? 0;
    if (n === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') {
      idle += n;
      continue;
    }
    busy += n;
    const pkg = functionName === '(garbage collector)' ? '(garbage collector)' : packageOf(url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + n);
    const where = url
      ? `${url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*?\/(services|packages|tools)\//, '$1/')}:${lineNumber + 1}`
      : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + n);
  }
  const pct = (n: number) => `${((100 * n) / Math.max(1, busy)).toFixed(1)}%`.padStart(6);
  console.log(
    `${file}: ${(totalMs / 1000).toFixed(1)} s profiled, busy ${((busy * msPerSample) / 1000).toFixed(1)} s, ` +
      `idle/program ${((idle * msPerSample) / 1000).toFixed(1)} s`,
  );
  console.log('\nself time by package (share of busy time):');
  for (const [pkg, n] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${pct(n)}  ${pkg}`);
  console.log('\nself time by function:');
  for (const [fn, n] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${pct(n)}  ${fn}`);
}

main();
