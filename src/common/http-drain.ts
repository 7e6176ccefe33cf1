import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, Socket } from 'node:net';

interface Connection {
  /** Requests read on it and not yet answered. */
  open: number;
  /** When it last became idle (accepted, or its last answer done). */
  idleSince: number;
  /** `socket.bytesRead` then: more means a request is arriving. */
  bytesAtIdle: number;
}

/** How long a connection must have been quiet before a drain closes it. */
const QUIET_MS = 500;

/** How long a drain goes on taking in new connections, at most. */
const ACCEPT_MS = 1000;

/**
 * The connections of the HTTP server, and how to let go of them on SIGTERM without resetting
 * a request. Node's `server.close()` destroys every connection that is idle at that instant,
 * and "idle" includes one just accepted whose request is not read yet and a keep-alive one whose
 * client is sending its next request: those clients get ECONNRESET. Here the listener stops,
 * busy connections end after their answer (which carries `Connection: close`), and an idle one
 * is closed only after it has been quiet for half a second, the same bet every keep-alive timeout
 * makes.
 */
export class HttpDrain {
  private readonly connections = new Map<Socket, Connection>();
  private readonly unanswered = new Set<ServerResponse>();
  /** Once the listener has closed, answers close their connections. */
  private closing = false;
  /** Connections accepted so far. */
  private accepted = 0;

  constructor(private readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      this.accepted++;
      this.connections.set(socket, { open: 0, idleSince: Date.now(), bytesAtIdle: 0 });
      socket.once('close', () => this.connections.delete(socket));
    });
    // Before the app's own listener, which may answer at once.
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      const connection = this.connections.get(req.socket);
      if (connection) connection.open++;
      this.unanswered.add(res);
      if (this.closing) res.setHeader('Connection', 'close');
      res.once('close', () => {
        this.unanswered.delete(res);
        if (!connection) return;
        connection.open--;
        connection.idleSince = Date.now();
        connection.bytesAtIdle = req.socket.bytesRead;
      });
    });
  }

  /**
   * Stops listening and lets every connection go as it becomes free (answers from then on carry
   * `Connection: close`); resolves once none is left.
   */
  close(): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      const stopListening = () => {
        // net's close, not http's: http's destroys the idle connections at once (see above).
        NetServer.prototype.close.call(this.server, () => resolve());
        this.closing = true;
        for (const res of this.unanswered) {
          if (!res.headersSent) res.setHeader('Connection', 'close');
        }
        this.closeQuiet();
        quietCheck = setInterval(() => this.closeQuiet(), 100);
      };
      // Closing the listener resets the connections the kernel has accepted and the process has
      // not yet taken, and Node takes one per turn of the event loop: on a busy process, dozens
      // wait. So the listener closes after a turn that took none (nothing was waiting), or after
      // ACCEPT_MS if new ones keep coming. Until then answers keep their connections open, or
      // each would bring a new connection into that window.
      const until = Date.now() + ACCEPT_MS;
      // The drain starts in the poll phase (a signal): its first immediate runs before the next
      // poll, so counting starts there.
      let seen = -1;
      const check = () => {
        if (this.accepted === seen || Date.now() >= until) return stopListening();
        seen = this.accepted;
        setImmediate(check);
      };
      setImmediate(check);
    });
    let quietCheck: NodeJS.Timeout | undefined;
    return closed.finally(() => clearInterval(quietCheck));
  }

  /**
   * Out of time: each request still waiting for its answer gets a 503 it may retry, rather than
   * a reset connection. Answers already under way are left to the exit.
   */
  refuseUnanswered(retryAfterS: number): number {
    let refused = 0;
    for (const res of this.unanswered) {
      if (res.headersSent) continue;
      const body = JSON.stringify({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'The server is restarting; please try again in a few seconds',
      });
      res.writeHead(503, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-store',
        'Retry-After': String(retryAfterS),
        Connection: 'close',
      });
      res.end(body);
      refused++;
    }
    return refused;
  }

  private closeQuiet(): void {
    const now = Date.now();
    for (const [socket, connection] of this.connections) {
      const quiet =
        connection.open === 0 &&
        socket.bytesRead === connection.bytesAtIdle &&
        now - connection.idleSince >= QUIET_MS;
      if (quiet) socket.destroy();
    }
  }
}
