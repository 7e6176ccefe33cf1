import { Injectable } from '@nestjs/common';
import { WorkerPool, workerTaskFile } from '../common/worker-pool';
import type { StoredGrid } from '../grid-storage/stored-grid';
import type { PictureSize } from './grid-image-layout';
import type { GridRenderTask, PageParts } from './grid-render.task';

const TASK = workerTaskFile(__dirname, 'grid-render.task');
const SVG_TASK = workerTaskFile(__dirname, 'grid-svg.task');

/** Draws grids on the worker threads: their page's table and code section, their picture. */
@Injectable()
export class GridRenderer {
  constructor(private readonly workers: WorkerPool) {}

  /**
   * The parts of a grid's page made from its data: the table (ids suffixed `tableId`) and the
   * code section (whose notes link the whole code at `codeScript`).
   */
  pageParts(grid: StoredGrid, tableId: string, codeScript: string): Promise<PageParts> {
    const task: GridRenderTask = {
      kind: 'page',
      gridJson: grid.gridDataJson,
      tableId,
      codeCells: grid.codeCells,
      codeScript,
    };
    return this.workers.run(TASK, task, grid.gridDataJson.length);
  }

  async png(gridJson: string, size: PictureSize): Promise<Buffer> {
    const task: GridRenderTask = { kind: 'png', gridJson, size };
    const png = await this.workers.run<Uint8Array>(TASK, task, gridJson.length);
    return Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  }

  async svg(gridJson: string): Promise<Buffer> {
    const svg = await this.workers.run<Uint8Array>(SVG_TASK, gridJson, gridJson.length);
    return Buffer.from(svg.buffer, svg.byteOffset, svg.byteLength);
  }
}
