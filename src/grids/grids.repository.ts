import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import type { Visibility } from './grid-data';
import { GridRecord, PublicGrid, SecretGrid } from './grid.entity';

export type NewGrid = Pick<
  GridRecord,
  'ipbVersion' | 'pythonVersion' | 'gridData' | 'codeCells' | 'ipbClass' | 'secret'
>;

const TABLES: Record<Visibility, string> = { public: 'public_grids', secret: 'secret_grids' };

@Injectable()
export class GridsRepository {
  private readonly repos: Record<Visibility, Repository<GridRecord>>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.repos = {
      public: dataSource.getRepository(PublicGrid),
      secret: dataSource.getRepository(SecretGrid),
    };
  }

  async insert(visibility: Visibility, grid: NewGrid): Promise<number> {
    const result = await this.repos[visibility]
      .createQueryBuilder()
      .insert()
      .values(grid)
      .returning('id')
      .execute();
    return (result.raw as { id: number }[])[0].id;
  }

  /**
   * The stored grid_data as JSON text straight from Postgres: `/get` sends it on without
   * parsing and re-serialising what can be hundreds of kilobytes.
   */
  async findGridDataJson(visibility: Visibility, id: number): Promise<string | null> {
    const rows = await this.dataSource.query<{ json: string }[]>(
      `SELECT grid_data::text AS json FROM ${TABLES[visibility]} WHERE id = $1`,
      [id],
    );
    return rows.length > 0 ? rows[0].json : null;
  }

  findById(visibility: Visibility, id: number): Promise<GridRecord | null> {
    return this.repos[visibility].findOneBy({ id });
  }

  count(visibility: Visibility): Promise<number> {
    return this.repos[visibility].count();
  }
}
