import { Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { RetryLaterException } from './logged-http-exception';

/**
 * Input (JSON text, body bytes) waiting for or on the workers, at most: past it, new work is
 * refused with a 503 rather than queued without bound, since each waiting task holds its input.
 */
const MAX_PENDING_CHARS = 64 * 1024 * 1024;

// The thread that serves requests keeps a core; a dyno reports the host's cores, not its share,
// and each worker costs ~30 MB, so never more than two.
const THREADS = Math.min(2, Math.max(1, availableParallelism() - 1));

// ts-node and jest run the TypeScript sources, whose workers must load TypeScript too.
const TYPESCRIPT = __filename.endsWith('.ts');

/**
 * The file of a worker task, `name` in `dir`: what WorkerPool.run takes. Compiled code runs the
 * compiled file; ts-node and jest the TypeScript source. The file's default export is the task.
 */
export function workerTaskFile(dir: string, name: string): string {
  return join(dir, `${name}.${TYPESCRIPT ? 'ts' : 'js'}`);
}

/**
 * Worker threads for the CPU work that would stall the thread serving requests (tens to hundreds
 * of milliseconds for a big grid): each feature hands over its own task files. One pool for the
 * process, so the threads and their memory are counted once.
 */
@Injectable()
export class WorkerPool implements OnApplicationShutdown {
  private readonly pool = new Piscina({
    execArgv: TYPESCRIPT ? ['-r', 'ts-node/register/transpile-only'] : [],
    minThreads: 1,
    maxThreads: THREADS,
    idleTimeout: 60_000,
    // First come, first served. By default piscina sends a task it could not hand to a busy
    // thread to the back of the queue, again each time a thread frees: with the cache off, one
    // reader of a big page waited 16-22 s while the others took 3 s.
    stricterFIFO: true,
    // A task's input is at most MAX_BODY_BYTES of JSON: far below this, and still a bound.
    resourceLimits: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 8 },
  });
  private pendingChars = 0;

  /**
   * Runs `task` with the default export of `taskFile` on a worker. `inputChars` is what the task
   * holds in memory until it is done; `transferList` is handed over rather than copied.
   */
  async run<R>(
    taskFile: string,
    task: unknown,
    inputChars: number,
    transferList?: ArrayBuffer[],
  ): Promise<R> {
    if (this.pendingChars > 0 && this.pendingChars + inputChars > MAX_PENDING_CHARS) {
      throw new RetryLaterException(
        'The server is busy with big grids; please try again in a few seconds',
        5,
      );
    }
    this.pendingChars += inputChars;
    try {
      return (await this.pool.run(task, { filename: taskFile, transferList })) as R;
    } finally {
      this.pendingChars -= inputChars;
    }
  }

  // The last of Nest's hooks, after the HTTP server has closed: a request still being answered
  // may need a worker until then.
  async onApplicationShutdown(): Promise<void> {
    await this.pool.destroy();
  }
}

/** Imported by every feature that hands work to the workers; Nest makes it one pool. */
@Module({ providers: [WorkerPool], exports: [WorkerPool] })
export class WorkerPoolModule {}
