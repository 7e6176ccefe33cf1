/** A legacy row that cannot become a row the site can serve; the message says why. */
export class RowRejected extends Error {}

export function parseJson(text: string, column: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new RowRejected(`${column} is not valid JSON (${(err as Error).message})`);
  }
}

/** A value in a rejection's reason: short, and readable whatever SQLite held. */
export function describe(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return `a ${value.length}-byte BLOB`;
  const json = JSON.stringify(value);
  return json === undefined ? 'missing' : json.length > 40 ? `${json.slice(0, 40)}…` : json;
}
