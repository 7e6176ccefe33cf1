import { StartupError } from '../common/startup-error';

/** Where the URL points, without its password: for messages. */
function hostOf(url: string): string {
  try {
    const { hostname, port } = new URL(url);
    return port ? `${hostname}:${port}` : hostname;
  } catch {
    return 'DATABASE_URL';
  }
}

/**
 * A first connection that failed for a reason the operator fixes, as the one line a StartupError
 * is: retrying cannot help, so the boot (web, release, CLI) ends at once. Other errors are
 * returned as they are, and retried.
 */
export function explainConnectError(err: unknown, url: string): unknown {
  const message = (err as Error | undefined)?.message ?? '';
  // pg's words when the server answers an SSLRequest with "no" (ssl = off).
  if (/does not support SSL connections/i.test(message)) {
    return new StartupError(
      `Cannot connect to the database at ${hostOf(url)}: it does not offer TLS, which production ` +
        'asks for unless told otherwise. For a database without TLS (a private network, a ' +
        'local Postgres), set DATABASE_SSL=false, or add sslmode=disable to DATABASE_URL.',
    );
  }
  return err;
}
