import { join } from 'node:path';
import { WorkerPool, workerTaskFile } from './worker-pool';

const START_ORDER = workerTaskFile(
  join(__dirname, '..', '..', 'test', 'support'),
  'start-order.task',
);

describe('WorkerPool', () => {
  const pool = new WorkerPool();
  afterAll(() => pool.onApplicationShutdown());

  it('starts queued tasks in the order they were handed over (FIFO)', async () => {
    const counter = new Int32Array(new SharedArrayBuffer(4));
    // Warm the threads up, so that their start-up does not reorder anything.
    await Promise.all([0, 1].map(() => pool.run(START_ORDER, { counter, busyMs: 0 }, 1)));
    counter[0] = 0;
    const tasks = 12;
    const tickets = await Promise.all(
      Array.from({ length: tasks }, () =>
        pool.run<number>(START_ORDER, { counter, busyMs: 30 }, 1),
      ),
    );
    // With 1-2 threads, a task may start at most one place from where it was queued (two threads
    // take the head of the queue at about the same time); a task sent to the back of the queue
    // starts many places late.
    const late = tickets.map((ticket, queued) => ticket - queued);
    expect(Math.max(...late.map(Math.abs))).toBeLessThanOrEqual(1);
  });
});
