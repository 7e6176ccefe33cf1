import { once } from 'node:events';
import type { Server } from 'node:http';
import { createServer } from 'node:net';

/**
 * A start that cannot succeed for a reason the operator fixes (a variable, a folder, a port):
 * its message says what is wrong and what to change, and it is logged as that one line, without
 * a stack trace.
 */
export class StartupError extends Error {}

/** What a failed listen means to whoever set PORT; other errors are returned as they are. */
export function explainListenError(err: unknown, port: number): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') {
    return new StartupError(
      `Cannot start: port ${port} is already in use by another process. ` +
        'Stop that process, or set PORT to a free port.',
    );
  }
  if (code === 'EACCES') {
    return new StartupError(
      `Cannot start: port ${port} needs privileges this process lacks. ` +
        'Set PORT to a port from 1024 to 65535.',
    );
  }
  return err;
}

/**
 * Listens on `port` as the app does (every address) and lets go: a port that is taken stops the
 * start before the database is opened, not after.
 */
export async function checkPortFree(port: number): Promise<void> {
  // Port 0 asks for any free port: nothing to check.
  if (port === 0) return;
  const probe = createServer();
  try {
    probe.listen(port);
    await once(probe, 'listening');
  } catch (err) {
    throw explainListenError(err, port);
  }
  await new Promise((resolve) => probe.close(resolve));
}

/** `server.listen(port)`, failing with a StartupError when the port cannot be had. */
export async function listenOn(server: Server, port: number): Promise<void> {
  try {
    server.listen(port);
    await once(server, 'listening');
  } catch (err) {
    throw explainListenError(err, port);
  }
}
