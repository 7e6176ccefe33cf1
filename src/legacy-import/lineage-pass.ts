import { Injectable } from '@nestjs/common';
import type { Visibility } from '../grid-storage/grid-data';
import { GridIds } from '../grid-storage/grid-ids';
import type { LegacyParentLink } from '../grid-storage/legacy-grid.writer';
import type { TableReport } from './import-report';
import type { ImportRun } from './import-run';

/** Links per statement: each is a few dozen bytes of parameters. */
const LINKS_PER_STATEMENT = 1000;

const VISIBILITIES: Visibility[] = ['public', 'secret'];

/**
 * After the import pass: every row whose code cells remix a grid (the first `from_web` with its id
 * written out, read as a post's are) gets that grid as its parent, when it exists and is not
 * hidden, and the stored row is the file's. Run again, it links rows imported before lineage was
 * kept and changes nothing else.
 */
@Injectable()
export class LineagePass {
  constructor(private readonly ids: GridIds) {}

  async run(run: ImportRun, visibilities: Visibility[], tables: TableReport[]): Promise<void> {
    const [session] = run.sessions;
    for (const [i, visibility] of visibilities.entries()) {
      const remixes = { recorded: 0, linked: 0 };
      for (const parentVisibility of VISIBILITIES) {
        const links: LegacyParentLink[] = [];
        for (const candidate of run.remixes) {
          if (candidate.visibility !== visibility) continue;
          if (candidate.parent.visibility !== parentVisibility) continue;
          const parentId = this.ids.decode(parentVisibility, candidate.parent.hashId);
          if (parentId === null) continue;
          links.push({ id: candidate.id, rowHash: candidate.rowHash, parentId });
        }
        for (let from = 0; from < links.length; from += LINKS_PER_STATEMENT) {
          const chunk = links.slice(from, from + LINKS_PER_STATEMENT);
          const done = await session.linkParents(visibility, parentVisibility, chunk);
          remixes.recorded += done.recorded;
          remixes.linked += done.linked;
        }
      }
      tables[i].remixes = remixes;
    }
  }
}
