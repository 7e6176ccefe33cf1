const MASK_128 = (1n << 128n) - 1n;

/**
 * A checksum of a set of rows, the same whatever order they are added in: the import reads id
 * ranges side by side, and the file and the database are summed apart. It is the sum, modulo
 * 2^128, of the rows' md5 hashes (`LegacyGrid.rowHash`, which covers the id too).
 */
export class ContentChecksum {
  rows = 0;
  maxId = 0;
  private sum = 0n;

  add(id: number, rowHash: string): void {
    this.sum = (this.sum + BigInt(`0x${rowHash}`)) & MASK_128;
    this.rows++;
    if (id > this.maxId) this.maxId = id;
  }

  digest(): string {
    return this.sum.toString(16).padStart(32, '0');
  }
}
