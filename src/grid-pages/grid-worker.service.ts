import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { RetryLaterException } from '../common/logged-http-exception';
import type { GridLimits } from '../config/app-config';
import type { CheckedPost, GridTask, GridTaskResult, PageParts } from './grid-worker.thread';

/**
 * JSON text of grids waiting for or on the worker, at most: past it, new big work is refused with
 * a 503 rather than queued without bound (each waiting grid holds its text in memory).
 */
const MAX_PENDING_CHARS = 64 * 1024 * 1024;

// The thread that serves requests keeps a core; a dyno reports the host's cores, not its share,
// and each worker costs ~30 MB, so never more than two.
const THREADS = Math.min(2, Math.max(1, availableParallelism() - 1));

/** The worker threads that do the grid work too heavy for the thread serving requests. */
@Injectable()
export class GridWorker implements OnModuleDestroy {
  private readonly pool: Piscina;
  private pendingChars = 0;

  constructor() {
    // Compiled code runs the compiled worker; ts-node and jest run the TypeScript source.
    const typescript = __filename.endsWith('.ts');
    this.pool = new Piscina({
      filename: join(__dirname, `grid-worker.thread.${typescript ? 'ts' : 'js'}`),
      execArgv: typescript ? ['-r', 'ts-node/register/transpile-only'] : [],
      minThreads: 1,
      maxThreads: THREADS,
      idleTimeout: 60_000,
      // A grid is at most MAX_BODY_BYTES of JSON; this is far above what one needs, and a bound.
      resourceLimits: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 8 },
    });
  }

  /**
   * The parts of a grid's page made from its data: the table and the code section (whose notes
   * link the whole code at `codeScript`).
   */
  renderPage(
    gridJson: string,
    tableId: string,
    codeCells: unknown,
    codeScript: string,
  ): Promise<PageParts> {
    return this.run({ kind: 'page', gridJson, tableId, codeCells, codeScript }, gridJson.length);
  }

  async renderPng(gridJson: string): Promise<Buffer> {
    const png = await this.run({ kind: 'png', gridJson }, gridJson.length);
    return Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  }

  /** A post's body parsed and checked as GridPostPipe would, off the serving thread. */
  checkPost(body: Buffer, limits: GridLimits): Promise<CheckedPost> {
    // The worker takes the bytes over rather than a copy (a copy first, were they a slice of a
    // bigger buffer).
    const whole = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
    const bytes = whole ? body : new Uint8Array(body);
    return this.run({ kind: 'post', body: bytes, limits }, body.length, [
      bytes.buffer as ArrayBuffer,
    ]);
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.destroy();
  }

  private async run<T extends GridTask>(
    task: T,
    chars: number,
    transferList?: ArrayBuffer[],
  ): Promise<GridTaskResult<T>> {
    if (this.pendingChars > 0 && this.pendingChars + chars > MAX_PENDING_CHARS) {
      throw new RetryLaterException(
        'The server is busy drawing big grids; please try again in a few seconds',
        5,
      );
    }
    this.pendingChars += chars;
    try {
      return (await this.pool.run(task, { transferList })) as GridTaskResult<T>;
    } finally {
      this.pendingChars -= chars;
    }
  }
}
