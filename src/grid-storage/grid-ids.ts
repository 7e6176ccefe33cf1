import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import type { Visibility } from './grid-data';
import { MAX_GRID_ID } from './grid.entity';
import { LegacyHashids } from './legacy-hashids';

const MIN_LENGTH = 6;

/** Turns table ids into the public URL ids the legacy site gave out, and back. */
@Injectable()
export class GridIds {
  private readonly codecs: Record<Visibility, LegacyHashids>;

  constructor(config: AppConfig) {
    this.codecs = {
      public: new LegacyHashids(config.salts.public, MIN_LENGTH),
      secret: new LegacyHashids(config.salts.secret, MIN_LENGTH),
    };
  }

  encode(visibility: Visibility, id: number): string {
    return this.codecs[visibility].encode(id);
  }

  /** The table id, or null when the string is not exactly what `encode` makes for some row id. */
  decode(visibility: Visibility, hashId: string): number | null {
    if (hashId.length > 32) return null;
    const id = this.codecs[visibility].decode(hashId);
    return id !== null && id >= 1 && id <= MAX_GRID_ID ? id : null;
  }
}
