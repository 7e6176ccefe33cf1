import { createConnection, createServer, Server, Socket } from 'node:net';

/** One client connection and its connection to the target (opened late when frozen). */
interface Link {
  client: Socket;
  upstream?: Socket;
}

/**
 * A loopback TCP proxy to a database that a test can cut and restore, to see the app lose its
 * database and get it back without a restart; or freeze, like a database process that is
 * stopped (SIGSTOP) or a network that stalls: sockets stay open, nothing moves either way, and
 * on thaw everything sent meanwhile arrives in order, closes included.
 */
export class TcpProxy {
  private server?: Server;
  private readonly links = new Set<Link>();
  private frozen = false;
  private freezeTrigger?: RegExp;
  /** While set, the database's answers wait: a slow query rather than a stalled network. */
  private holding = false;
  /** What waits for the thaw: closes seen while frozen, connections to open. */
  private readonly onThaw: (() => void)[] = [];
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    if (this.server) return;
    // Half-open sockets, so a close travels as it would between the two ends: after their data.
    const server = createServer({ allowHalfOpen: true }, (client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Refuse new connections and kill the open ones, as a crashed database would. */
  async stop(): Promise<void> {
    this.frozen = false;
    this.holding = false;
    this.freezeTrigger = undefined;
    this.onThaw.length = 0;
    for (const { client, upstream } of this.links) {
      client.destroy();
      upstream?.destroy();
    }
    this.links.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The database still gets what the app sends, but its answers wait until `release()`. */
  hold(): void {
    this.holding = true;
    for (const { upstream } of this.links) upstream?.pause();
  }

  release(): void {
    this.holding = false;
    if (this.frozen) return;
    for (const { upstream } of this.links) upstream?.resume();
  }

  /** Stop forwarding both ways; new connections are accepted and wait, as the kernel would. */
  freeze(): void {
    this.frozen = true;
    for (const { client, upstream } of this.links) {
      client.pause();
      upstream?.pause();
    }
  }

  /**
   * Freeze as soon as the client sends a chunk matching `pattern`, after forwarding that chunk:
   * the database gets it, and its answer never reaches the client.
   */
  freezeAfter(pattern: RegExp): void {
    this.freezeTrigger = pattern;
  }

  /** Forward again: what each end sent meanwhile, then the closes, then the waiting connections. */
  thaw(): void {
    this.frozen = false;
    this.freezeTrigger = undefined;
    for (const { client, upstream } of this.links) {
      client.resume();
      if (!this.holding) upstream?.resume();
    }
    for (const action of this.onThaw.splice(0)) action();
  }

  /** Client connections open now (each one to the target, or waiting for a thaw). */
  get connections(): number {
    return this.links.size;
  }

  private accept(client: Socket): void {
    const link: Link = { client };
    this.links.add(link);
    client.on('close', () => {
      if (!link.upstream || link.upstream.destroyed) this.links.delete(link);
    });
    if (this.frozen) {
      client.pause();
      this.whenThawed(() => this.connectUpstream(link));
    } else {
      this.connectUpstream(link);
    }
  }

  private connectUpstream(link: Link): void {
    if (link.client.destroyed) {
      this.links.delete(link);
      return;
    }
    const upstream = createConnection({
      host: this.targetHost,
      port: this.targetPort,
      allowHalfOpen: true,
    });
    link.upstream = upstream;
    if (this.holding) upstream.pause();
    upstream.on('close', () => {
      if (link.client.destroyed) this.links.delete(link);
    });
    this.forward(link.client, upstream, true);
    this.forward(upstream, link.client, false);
  }

  private forward(from: Socket, to: Socket, toTarget: boolean): void {
    from.on('data', (chunk: Buffer) => {
      if (to.writable) to.write(chunk);
      if (toTarget && this.freezeTrigger?.test(chunk.toString('latin1'))) this.freeze();
    });
    // A close (graceful or not) reaches the other end after the data sent before it.
    const close = () => this.whenThawed(() => to.end());
    from.on('end', close);
    from.on('error', () => from.destroy());
    from.on('close', close);
    to.on('error', () => to.destroy());
  }

  private whenThawed(action: () => void): void {
    if (this.frozen) this.onThaw.push(action);
    else action();
  }
}
