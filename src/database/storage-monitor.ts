import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { formatBytes, freeBytes } from './free-space';

/**
 * A server database says its disk is full only when a write fails; /health reports the storage
 * down for this long after the last such failure, or until a write succeeds.
 */
const DISK_FULL_REPORTED_MS = 30_000;

/** What a write that found the database's disk full is answered (503, without Retry-After). */
export const DISK_FULL_MESSAGE =
  'Storage is full, so nothing can be saved until space is freed: the database has no space ' +
  'left on device';

/** A post refused because the disk is full: 503, and no Retry-After (it takes a person). */
export class StorageFullException extends ServiceUnavailableException {
  constructor(problem: string) {
    super(`Storage is full, so the grid was not saved: ${problem}`);
  }
}

/** Whether the database has room to write: the embedded one's disk, a server's disk_full errors. */
@Injectable()
export class StorageMonitor {
  private lastDiskFullAt?: number;

  constructor(private readonly config: AppConfig) {}

  /**
   * Refuses a write while the embedded database's disk is below its floor, before PGlite sees
   * it: PGlite does not survive a write-ahead-log write that finds the disk full (see
   * EmbeddedPostgres), so the floor keeps it from ever getting there.
   */
  assertRoomToWrite(): void {
    const shortage = this.embeddedShortage();
    if (shortage) throw new StorageFullException(shortage);
  }

  /** A write failed with a disk-full error. */
  recordDiskFull(): void {
    this.lastDiskFullAt = Date.now();
  }

  /** A write went through: whatever filled the disk is over. */
  recordWriteOk(): void {
    this.lastDiskFullAt = undefined;
  }

  /** What is wrong with the storage right now, if anything. */
  problem(): string | undefined {
    const recentFailure =
      this.lastDiskFullAt !== undefined && Date.now() - this.lastDiskFullAt < DISK_FULL_REPORTED_MS;
    return (
      this.embeddedShortage() ??
      (recentFailure ? 'a write failed: the database has no space left on device' : undefined)
    );
  }

  private embeddedShortage(): string | undefined {
    const database = this.config.database;
    if (database.kind !== 'embedded') return undefined;
    const free = freeBytes(database.dataDir);
    // A floor of 0 still calls a disk with nothing left full.
    if (free === undefined || (free >= database.minFreeBytes && free > 0)) return undefined;
    return (
      `no space left on device for DATA_DIR=${database.dataDir}: ${formatBytes(free)} free, ` +
      `below the ${formatBytes(database.minFreeBytes)} kept free (DATA_DIR_MIN_FREE_MB)`
    );
  }
}
