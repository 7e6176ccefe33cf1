import { accessSync, closeSync, constants, existsSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RawLegacyRow } from './legacy-grid';

export class RejectsFileError extends Error {}

export interface RejectLine {
  table: string;
  id: unknown;
  reason: string;
  row: Record<string, unknown>;
}

/**
 * JSON lines, one per row the import could not read. Created on the first reject only, so a clean
 * run leaves no empty file behind. Written synchronously: rejects are rare, and a line must be on
 * disk before the run can end in any way.
 */
export class RejectsFile {
  private fd: number | null = null;
  lines = 0;

  constructor(readonly path: string) {}

  checkWritable(): void {
    try {
      accessSync(existsSync(this.path) ? this.path : dirname(this.path), constants.W_OK);
    } catch (err) {
      throw new RejectsFileError(
        `cannot write the rejects file ${this.path}: ${(err as Error).message}`,
      );
    }
  }

  write(line: RejectLine): void {
    this.fd ??= openSync(this.path, 'w');
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
    this.lines++;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** The row as it is in the file, in a form JSON can carry, for the rejects file. */
export function rawRowForReport(raw: RawLegacyRow): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(raw).map(([column, value]) => [
      column,
      typeof value === 'bigint'
        ? Number.isSafeInteger(Number(value))
          ? Number(value)
          : value.toString()
        : Buffer.isBuffer(value)
          ? { blob_base64: value.toString('base64') }
          : value,
    ]),
  );
}
