import { randomInt } from 'node:crypto';
import { Agent, request } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as received (still compressed when the answer has a Content-Encoding). */
  body: Buffer;
  text: string;
  json<T = unknown>(): T;
}

/**
 * An HTTP request with exactly the headers given: the ipythonblocks client posts JSON with no
 * Content-Type, which fetch and supertest would add.
 */
export function rawRequest(
  url: string,
  options: {
    method?: string;
    body?: string | Buffer;
    headers?: Record<string, string>;
    /** Fail when the socket is idle this long (default: wait for ever). */
    timeoutMs?: number;
    /** Default: Node's global agent. */
    agent?: Agent;
    /** Called once connected and the whole request has been handed to the operating system. */
    onSent?: () => void;
  } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.from(options.body);
    const headers: Record<string, string | number> = { ...options.headers };
    if (body) headers['Content-Length'] = body.length;
    const method = options.method ?? 'GET';
    const { agent, timeoutMs: timeout } = options;
    const req = request(url, { method, headers, timeout, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = raw.toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: raw,
          text,
          json: <T>() => JSON.parse(text) as T,
        });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    const { onSent } = options;
    if (onSent) {
      const connected = new Promise((resolve) =>
        req.once('socket', (socket) => {
          if (socket.connecting) socket.once('connect', resolve);
          else resolve(undefined);
        }),
      );
      const finished = new Promise((resolve) => req.once('finish', resolve));
      void Promise.all([connected, finished]).then(onSent);
    }
    req.end(body);
  });
}

/** POST /post the way `grid.post_to_web()` does: a JSON string and no Content-Type. */
export function clientPost(baseUrl: string, body: string | Buffer): Promise<RawResponse> {
  return rawRequest(`${baseUrl}/post`, { method: 'POST', body });
}

/** `clientPost` from a client behind Heroku's router (one trusted hop: TRUST_PROXY_HOPS=1). */
export function clientPostFrom(
  baseUrl: string,
  address: string,
  body: string,
): Promise<RawResponse> {
  return rawRequest(`${baseUrl}/post`, {
    method: 'POST',
    body,
    headers: { 'X-Forwarded-For': address },
  });
}

/**
 * A client address (for X-Forwarded-For) of this test run's own: on a server database the rate
 * limit's counters outlive a process, so a rerun within the minute must not meet its old counts.
 */
export function newClientAddress(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}
