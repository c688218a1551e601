// `npm run api:snapshot -w web`: copies the public API of a running stack (MINISHOP_API, default
// http://localhost:8080) into src/api/openapi.json and regenerates the client's types from it.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fetchPublicContract } from './openapi-public.ts';

const gateway = process.env.MINISHOP_API ?? 'http://localhost:8080';
const target = path.join(import.meta.dirname, '..', 'src', 'api', 'openapi.json');
const contract = await fetchPublicContract(gateway);
writeFileSync(target, `${JSON.stringify(contract, null, 2)}\n`);
console.log(`wrote ${path.relative(process.cwd(), target)} from ${gateway}`);
execFileSync('npm', ['run', 'api:types'], { cwd: path.dirname(import.meta.dirname), stdio: 'inherit' });
