import { createHash } from 'node:crypto';

const MASK_128 = (1n << 128n) - 1n;

/**
 * A checksum of a set of rows (id and content hash each), the same whatever order they are added
 * in: the import reads id ranges side by side, and the file and the database are summed apart.
 * It is the sum, modulo 2^128, of md5("<id>:<content hash>") over the rows.
 */
export class ContentChecksum {
  rows = 0;
  maxId = 0;
  private sum = 0n;

  add(id: number, contentHash: string): void {
    const digest = createHash('md5').update(`${id}:${contentHash}`).digest();
    const value = (digest.readBigUInt64BE(0) << 64n) | digest.readBigUInt64BE(8);
    this.sum = (this.sum + value) & MASK_128;
    this.rows++;
    if (id > this.maxId) this.maxId = id;
  }

  digest(): string {
    return this.sum.toString(16).padStart(32, '0');
  }
}
