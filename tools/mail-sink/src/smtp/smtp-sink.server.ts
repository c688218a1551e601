// The SMTP side of the sink: accepts any mail from anyone (any AUTH credentials too) and keeps it
// in the store as it arrived. It can be stopped and started again on the same port, and the chaos
// triggers make it refuse mail on demand.
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { MailStore } from '../mail/mail.store.ts';
import type { ChaosState, Stage } from './chaos.state.ts';

export interface SmtpSinkOptions {
  store: MailStore;
  chaos: ChaosState;
  maxMessageBytes: number;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

type SmtpError = Error & { responseCode: number };

const smtpError = (responseCode: number, message: string): SmtpError =>
  Object.assign(new Error(message), { responseCode });

export class SmtpSink {
  private readonly options: SmtpSinkOptions;
  private server: SMTPServer | undefined;

  constructor(options: SmtpSinkOptions) {
    this.options = options;
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  /** Starts accepting mail; resolves with the bound port. */
  async listen(port: number, host: string): Promise<number> {
    if (this.server) throw new Error('the SMTP server is already listening');
    const server = this.create();
    const netServer = await new Promise<import('node:net').Server>((resolve, reject) => {
      server.once('error', reject);
      const listening = server.listen(port, host, () => {
        server.off('error', reject);
        resolve(listening);
      });
    });
    server.on('error', (err) => this.options.log.warn({ err }, 'SMTP server error'));
    // SMTP is a conversation of short lines: with Nagle's algorithm each reply waits for the
    // client's delayed ACK (about 40 ms per message on one connection).
    netServer.on('connection', (socket: import('node:net').Socket) => socket.setNoDelay(true));
    this.server = server;
    return (netServer.address() as AddressInfo).port;
  }

  /** Stops accepting connections; open sessions get a moment to finish. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private create(): SMTPServer {
    const { chaos, maxMessageBytes } = this.options;
    const refuse = (stage: Stage, callback: (err?: Error | null) => void): boolean => {
      const code = chaos.strike(stage);
      if (code === undefined) return false;
      callback(smtpError(code, `Chaos: ${stage.toLowerCase()} refused`));
      return true;
    };
    return new SMTPServer({
      banner: 'Minishop mail sink',
      authOptional: true,
      allowInsecureAuth: true,
      // Without a trusted certificate STARTTLS would only make clients fail verification.
      disabledCommands: ['STARTTLS'],
      disableReverseLookup: true,
      logger: false,
      size: maxMessageBytes,
      closeTimeout: 2000,
      onAuth: (auth, _session, callback) => {
        const code = chaos.strike('Authentication');
        if (code !== undefined) return callback(smtpError(code, 'Chaos: authentication refused'));
        callback(null, { user: auth.username ?? '' });
      },
      onMailFrom: (_address, _session, callback) => {
        if (!refuse('Sender', callback)) callback();
      },
      onRcptTo: (_address, _session, callback) => {
        if (!refuse('Recipient', callback)) callback();
      },
      onData: (stream, session, callback) => {
        this.receive(stream, session).then(
          (id) => callback(null, `Queued as ${id}`),
          (err: Error) => callback(err),
        );
      },
    });
  }

  private async receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of stream) {
      bytes += (chunk as Buffer).length;
      // Keep reading to the end of DATA, but hold no more than the limit in memory.
      if (bytes <= this.options.maxMessageBytes) chunks.push(chunk as Buffer);
    }
    if (stream.sizeExceeded || bytes > this.options.maxMessageBytes) {
      throw smtpError(552, 'Message exceeds the maximum size');
    }
    const { mailFrom, rcptTo } = session.envelope;
    const to = rcptTo.map((r) => r.address);
    const id = this.options.store.add(Buffer.concat(chunks), {
      mailFrom: mailFrom ? mailFrom.address : '',
      rcptTo: to,
      username: session.user ?? '',
    });
    this.options.log.info({ id, to, bytes }, 'mail received');
    return id;
  }
}
