import { Injectable } from '@nestjs/common';
import { gridPagePath } from '../common/public-origin';
import { unstorableReason } from '../common/storable-text';
import { AppConfig } from '../config/app-config';
import { GridIds } from '../grid-storage/grid-ids';
import { GridsRepository } from '../grid-storage/grids.repository';
import { HiddenGridsRepository, type HiddenRecord } from '../grid-storage/hidden-grids.repository';
import { type GridReference, GridReferenceError, parseGridReference } from './grid-reference';

/** Longest reason kept: a sentence or two, and a ticket or e-mail reference. */
export const MAX_REASON_CHARS = 1000;

/** A moderation command failed; `exitCode` says how (2: bad input, 1: no such grid). */
export class ModerationError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

/** A grid the operator named, found: its table id and where it is seen. */
interface NamedGrid extends GridReference {
  id: number;
}

/**
 * What the `grid` commands do: take a grid down and back up, show what is stored of one, list
 * the hidden ones. Each answers the text the command prints; every web process hears a hide or
 * an unhide through the database (HiddenGridSet) within a second.
 */
@Injectable()
export class GridModerationService {
  constructor(
    private readonly ids: GridIds,
    private readonly grids: GridsRepository,
    private readonly hidden: HiddenGridsRepository,
    private readonly config: AppConfig,
  ) {}

  async hide(reference: string, reason: string): Promise<string> {
    const why = checkReason(reason);
    const grid = this.name(reference);
    const result = await this.hidden.hide(grid.visibility, grid.id, why);
    if (result.outcome === 'no-such-grid') throw this.noSuchGrid(grid);
    if (result.outcome === 'already-hidden') {
      return (
        `${this.label(grid)} was already hidden (since ${iso(result.record.hiddenAt)}); ` +
        `reason was: ${result.previousReason}\nreason now: ${why}\n`
      );
    }
    return `hidden: ${this.label(grid)} at ${iso(result.record.hiddenAt)}\nreason: ${why}\n`;
  }

  async unhide(reference: string): Promise<string> {
    const grid = this.name(reference);
    const record = await this.hidden.unhide(grid.visibility, grid.id);
    if (record) {
      return `served again: ${this.label(grid)} (hidden since ${iso(record.hiddenAt)}: ${record.reason})\n`;
    }
    if (!(await this.grids.exists(grid.visibility, grid.id))) throw this.noSuchGrid(grid);
    return `${this.label(grid)} is not hidden: nothing to do\n`;
  }

  /** What is stored of the grid, when it was posted, and whether it is hidden and why. */
  async show(reference: string): Promise<string> {
    const grid = this.name(reference);
    const stored = await this.grids.findById(grid.visibility, grid.id);
    if (!stored) throw this.noSuchGrid(grid);
    const record = await this.hidden.find(grid.visibility, grid.id);
    const data = JSON.parse(stored.gridDataJson) as { width?: unknown; height?: unknown };
    const lines = [
      `${this.label(grid)}, table ${grid.visibility}_grids id ${grid.id}`,
      `status:        ${record ? `HIDDEN since ${iso(record.hiddenAt)}: ${record.reason}` : 'served'}`,
      `posted:        ${stored.createdAt ? iso(stored.createdAt) : 'unknown (imported from the legacy site)'}`,
      `class:         ${stored.ipbClass}, ${String(data.width)} x ${String(data.height)} blocks`,
      `ipythonblocks: ${stored.ipbVersion}`,
      `python:        ${JSON.stringify(stored.pythonVersion)}`,
      `code cells:    ${stored.codeCells.length}`,
      `grid_data:     ${Buffer.byteLength(stored.gridDataJson)} bytes of JSON`,
    ];
    return `${lines.join('\n')}\n`;
  }

  /** Every hidden grid with when and why, the most recently hidden first. */
  async listHidden(): Promise<string> {
    const records = await this.hidden.list();
    if (records.length === 0) return 'no hidden grids\n';
    const rows = records.map((r) => `${iso(r.hiddenAt)}  ${this.link(r)}  ${r.reason}`);
    const count = `${records.length} hidden grid${records.length === 1 ? '' : 's'}`;
    return `${count}:\n${rows.join('\n')}\n`;
  }

  private name(reference: string): NamedGrid {
    let parsed: GridReference;
    try {
      parsed = parseGridReference(reference);
    } catch (err) {
      if (err instanceof GridReferenceError) throw new ModerationError(err.message, 2);
      throw err;
    }
    const id = this.ids.decode(parsed.visibility, parsed.hashId);
    if (id === null) throw this.noSuchGrid(parsed);
    return { ...parsed, id };
  }

  private noSuchGrid(grid: GridReference): ModerationError {
    const which = grid.visibility === 'secret' ? 'secret grid' : 'public grid';
    const hint = grid.visibility === 'public' ? ' (a secret grid is named secret/<id>)' : '';
    return new ModerationError(`no ${which} has the id ${grid.hashId}${hint}`, 1);
  }

  private label(grid: GridReference): string {
    return `${grid.visibility} grid ${grid.hashId} (${this.link(grid)})`;
  }

  /** The grid's page: a full URL with PUBLIC_URL, its path without. */
  private link(grid: GridReference | HiddenRecord): string {
    const hashId = 'hashId' in grid ? grid.hashId : this.ids.encode(grid.visibility, grid.id);
    return `${this.config.publicUrl ?? ''}${gridPagePath(grid.visibility, hashId)}`;
  }
}

function checkReason(reason: string | undefined): string {
  const why = (reason ?? '').trim();
  if (why === '') {
    throw new ModerationError('--reason "..." must say why the grid is hidden', 2);
  }
  if (why.length > MAX_REASON_CHARS) {
    throw new ModerationError(
      `--reason is ${why.length} characters; at most ${MAX_REASON_CHARS}`,
      2,
    );
  }
  const unstorable = unstorableReason(why);
  if (unstorable) throw new ModerationError(`--reason ${unstorable}`, 2);
  return why;
}

function iso(date: Date): string {
  return date.toISOString();
}
