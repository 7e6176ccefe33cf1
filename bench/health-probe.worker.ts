/**
 * The event-loop probe of bench/http-bench.ts, run as a worker thread: its own event loop, so
 * autocannon's work on the bench's main thread does not skew it. It times GET /health one request
 * at a time over a keep-alive connection until told to stop, then answers the latencies. A slow
 * /health means the server's event loop was blocked (or the machine was saturated: compare with
 * the idle baseline).
 */
import { Agent, get } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

export interface ProbeOptions {
  port: number;
}

/** `started` as the first request goes out; `done` once a message asked it to stop. */
export type ProbeMessage = { kind: 'started' } | { kind: 'done'; ms: number[]; failed: number };

function probe(parent: NonNullable<typeof parentPort>, { port }: ProbeOptions): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let stop = false;
  parent.on('message', () => (stop = true));
  const once = () =>
    new Promise<{ ms: number; ok: boolean }>((resolve) => {
      const t0 = process.hrtime.bigint();
      const elapsed = () => Number(process.hrtime.bigint() - t0) / 1e6;
      const req = get({ host: '127.0.0.1', port, path: '/health', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ ms: elapsed(), ok: res.statusCode === 200 }));
      });
      req.on('error', () => resolve({ ms: elapsed(), ok: false }));
    });
  const send = (message: ProbeMessage) => parent.postMessage(message);
  return (async () => {
    const ms: number[] = [];
    let failed = 0;
    send({ kind: 'started' });
    while (!stop) {
      const r = await once();
      ms.push(r.ms);
      if (!r.ok) failed++;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    agent.destroy();
    send({ kind: 'done', ms, failed });
  })();
}

if (!parentPort) throw new Error('health-probe.worker runs as a worker thread');
void probe(parentPort, workerData as ProbeOptions);
