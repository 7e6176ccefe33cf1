import { Quirk, QUIRKS } from './legacy-quirks';
import {
  DIFFERENCES,
  type Differences,
  type ImportReport,
  type PostedInRange,
  type TableReport,
} from './import-report';

/** The human summary the command prints. */
export function formatImportReport(report: ImportReport): string {
  const out: string[] = [];
  const dry = report.dryRun ? ' (dry run: nothing was written)' : '';
  out.push(`import-sqlite ${report.file} -> ${report.target}${dry}`, '');
  if (report.refused) return `${[...out, ...refusal(report.refused)].join('\n')}\n`;
  const rows = report.tables.reduce((n, t) => n + t.read, 0);
  if (rows === 0 && report.error !== undefined)
    return `${out.join('\n')}STOPPED: ${report.error}\n`;

  const verb = report.dryRun ? 'to import' : 'imported';
  const head = ['table', 'read', verb, 'present', 'overwritten', 'conflicts', 'rejected'];
  const cells = report.tables.map((t) => [
    t.table,
    ...[t.read, t.imported, t.present, t.overwritten, t.conflicts, t.rejected].map(String),
  ]);
  out.push(...table([head, ...cells]), '');

  for (const t of report.tables) {
    if (!t.remixes?.recorded) continue;
    const { recorded, linked } = t.remixes;
    out.push(
      `${t.table}: ${recorded} row${recorded === 1 ? '' : 's'} record the grid they remix ` +
        `(from_web in their code cells), ${linked} linked by this run`,
    );
  }
  for (const t of report.tables) {
    if (t.renumbered.length === 0) continue;
    out.push(`${t.table}: ${grids(t.renumbered.length)} moved to fresh ids:`);
    out.push(...t.renumbered.map((g) => `    ${g.from} -> ${g.to} ${g.path}`));
  }
  for (const t of report.tables) {
    const quirks = (Object.keys(QUIRKS) as Quirk[])
      .filter((q) => t.quirks[q])
      .map(
        (q) =>
          `    ${QUIRKS[q]}: ${t.quirks[q]}${q === 'invalid_utf8_replaced' ? `, ${idList(t.invalidUtf8Ids)}` : ''}`,
      );
    if (quirks.length > 0) out.push(`${t.table} quirks:`, ...quirks);
  }
  for (const t of report.tables) {
    if (t.rejects.length === 0) continue;
    out.push(`${t.table} rejected rows:`);
    out.push(...t.rejects.map((r) => `    id ${r.id}: ${r.reason}`));
    out.push(...more(t.rejected, t.rejects.length));
  }
  if (report.rejectsFile) out.push(`rejected rows written to ${report.rejectsFile}`);
  for (const t of report.tables) {
    if (t.conflictIds.length > 0) {
      out.push(
        `${t.table} conflicts (present with other content, left alone; --overwrite replaces them):`,
        `    ids ${t.conflictIds.join(', ')}`,
        ...more(t.conflicts, t.conflictIds.length),
      );
    }
    if (t.overwrittenIds.length > 0) {
      out.push(`${t.table} overwritten: ids ${t.overwrittenIds.join(', ')}`);
      out.push(...more(t.overwritten, t.overwrittenIds.length));
    }
  }

  if (report.tables.some((t) => t.verification)) {
    out.push('', 'verification (row count and md5 of every row, file vs database):');
  }
  for (const { table: name, verification: v } of report.tables) {
    if (!v) continue;
    out.push(
      `    ${name}: file ${v.fileRows} rows ${v.fileChecksum}, ` +
        `database ${v.databaseRows} rows ${v.databaseChecksum}: ${v.ok ? 'OK' : 'MISMATCH'}`,
    );
    for (const [kind, problem] of Object.entries(DIFFERENCES) as [keyof Differences, string][]) {
      const ids = v.differences[kind];
      if (ids.length === 0) continue;
      const rows = `${ids.length} row${ids.length === 1 ? '' : 's'}`;
      out.push(`        ${problem}: ${rows}, ${idList(ids)}`);
    }
  }

  out.push(
    '',
    `${rows} rows read in ${report.importSeconds.toFixed(1)} s (${report.rowsPerSecond} rows/s), ` +
      `${report.totalSeconds.toFixed(1)} s in all`,
  );
  if (report.error !== undefined) {
    out.push(
      `STOPPED: ${report.error}`,
      'Rows already written stay; run the command again to go on.',
    );
  } else {
    out.push(
      report.exitCode === 0 ? 'result: OK' : `result: NEEDS ATTENTION (${problems(report)})`,
    );
  }
  return `${out.join('\n')}\n`;
}

function refusal(refused: PostedInRange[]): string[] {
  return [
    "REFUSED: grids posted through this site hold ids the file's grids need; nothing was written.",
    ...refused.map((p) => `    ${p.table}: ${grids(p.ids.length)}, ${idList(p.ids)}`),
    "The legacy site's URLs name those ids: imported, they must show the legacy grids.",
    'What to do:',
    '  1. Stop posts until the import is verified: `heroku maintenance:on` (or',
    '     `heroku ps:scale web=0`), and import before the site takes posts.',
    '  2. Either delete those grids, or run again with --renumber-posted: they move to fresh ids',
    "     past the file's, the import goes on, and the summary lists each one's new URL.",
  ];
}

const idList = (ids: readonly number[]) => `id${ids.length === 1 ? '' : 's'} ${idRanges(ids)}`;

const grids = (n: number) => `${n} posted grid${n === 1 ? '' : 's'}`;

/** Ascending ids with runs compressed: [1, 2, 3, 7] -> "1-3, 7". */
export function idRanges(ids: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ids.length;) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j] + 1) j++;
    parts.push(j === i ? String(ids[i]) : `${ids[i]}-${ids[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

function problems(report: ImportReport): string {
  const sum = (f: (t: TableReport) => number) => report.tables.reduce((n, t) => n + f(t), 0);
  const found = [
    [sum((t) => t.rejected), 'rejected'],
    [sum((t) => t.conflicts), 'conflicts'],
    [sum((t) => (t.verification && !t.verification.ok ? 1 : 0)), 'tables failed verification'],
  ] as const;
  return found
    .filter(([n]) => n > 0)
    .map(([n, what]) => `${n} ${what}`)
    .join(', ');
}

function more(total: number, listed: number): string[] {
  return total > listed ? [`    ... and ${total - listed} more`] : [];
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '),
  );
}
