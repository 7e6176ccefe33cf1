import { closeSync, openSync, writeSync } from 'node:fs';

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
