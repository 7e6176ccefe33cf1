import { getMetadataArgsStorage } from 'typeorm';
import { GridRecord } from './grid.entity';

/** One column of the grid tables, as the entity declares it. */
export interface GridColumn {
  property: keyof GridRecord;
  /** The column's name in SQL. */
  name: string;
  type: 'integer' | 'text' | 'jsonb' | 'boolean' | 'timestamptz';
  nullable: boolean;
}

/**
 * The grid tables' columns, in the entity's order, read from its decorators: the one definition
 * of the schema in code. Everything that spells columns out (the repository's queries, the
 * import's staging table and COPY, the row checksum) is derived from this; the migrations are
 * checked against the entity by test/integration/schema.int-spec.ts.
 */
export const GRID_COLUMNS: readonly GridColumn[] = getMetadataArgsStorage()
  .filterColumns(GridRecord)
  .map((column) => ({
    property: column.propertyName as keyof GridRecord,
    name: column.options.name ?? column.propertyName,
    type: column.options.type as GridColumn['type'],
    nullable: column.options.nullable === true,
  }));

/**
 * Which grid a grid remixes: found when it is stored (and set later for imported rows), never
 * part of what it was posted with, so the import's comparisons and checksums leave it out.
 */
export const LINEAGE_PROPERTIES = ['parentVisibility', 'parentId'] as const;
export type LineageProperty = (typeof LINEAGE_PROPERTIES)[number];

const isLineage = (c: GridColumn) => (LINEAGE_PROPERTIES as readonly string[]).includes(c.property);

/** A grid's content: what it was posted with (not its id, not when, not what it remixes). */
export const CONTENT_COLUMNS: readonly GridColumn[] = GRID_COLUMNS.filter(
  (c) => c.property !== 'id' && c.property !== 'createdAt' && !isLineage(c),
);

/** The SQL name of a column, by its entity property. */
export function columnName(property: keyof GridRecord): string {
  const column = GRID_COLUMNS.find((c) => c.property === property);
  if (!column) throw new Error(`no grid column for ${property}`);
  return column.name;
}
