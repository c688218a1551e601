// Finds free TCP ports on the loopback interface and checks that a fixed port is still available,
// so the local stack and the tests can pick ports without colliding with what already runs.
import net from 'node:net';

/** Asks the kernel for a port that nothing listens on right now. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not obtain a free port'))));
    });
  });
}

/** True when a server could listen on host:port now. */
export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Throws an error naming the port (and what uses it) when it is already taken. */
export async function assertPortFree(port: number, what: string, host = '127.0.0.1'): Promise<void> {
  if (!(await isPortFree(port, host))) {
    throw new Error(
      `Port ${port} on ${host} is already in use, so ${what} cannot start there. ` +
        `Stop whatever listens on ${port} (for example \`lsof -i :${port}\` shows it) and try again.`,
    );
  }
}
