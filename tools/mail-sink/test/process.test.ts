import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ports = new Promise<{ http: number; smtp: number }>((resolve, reject) => {
    child.stdout.on('data', () => {
      const http = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout)?.[1];
      const smtp = /"smtp":"127\.0\.0\.1:(\d+)"/.exec(stdout)?.[1];
      if (http && smtp) resolve({ http: Number(http), smtp: Number(smtp) });
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  // Tests that expect a failed start never await this; keep its rejection from going unhandled.
  ports.catch(() => undefined);
  return { child, ports, output: () => ({ stdout, stderr }) };
}

describe('mail sink process', () => {
  it('takes mail over SMTP, shows it over HTTP and exits cleanly on SIGTERM', async () => {
    const proc = start({ SMTP_PORT: '0', HTTP_PORT: '0', HOST: '127.0.0.1' });
    const { http, smtp } = await proc.ports;
    await nodemailer.createTransport({ host: '127.0.0.1', port: smtp, secure: false }).sendMail({
      from: 'a@example.test',
      to: 'process@example.test',
      subject: 'from a real process',
      text: 'hi',
    });
    const list = await (await fetch(`http://127.0.0.1:${http}/api/v1/messages`)).json();
    expect(list).toMatchObject({ total: 1, messages: [{ Subject: 'from a real process' }] });

    proc.child.kill('SIGTERM');
    const [code] = await once(proc.child, 'exit');
    expect(code).toBe(0);
  });

  it('prints every configuration problem and exits 1', async () => {
    const proc = start({ SMTP_PORT: 'smtp', HTTP_PORT: '70000', MAX_MESSAGES: '0' });
    const [code] = await once(proc.child, 'exit');
    expect(code).toBe(1);
    for (const name of ['SMTP_PORT', 'HTTP_PORT', 'MAX_MESSAGES'])
      expect(proc.output().stderr).toContain(name);
  });
});
