import type BetterSqlite3 from 'better-sqlite3';

/**
 * The SQLite driver for this Node. better-sqlite3 12 wraps its objects in Node's own ObjectWrap,
 * whose destructor aborts the process on Node 24.19 and later when a statement is collected
 * (`Assertion failed: (env) != nullptr`, nodejs/node#65446); 13 is built on Node-API and is
 * fine there, but needs Node 22 (on 20 it segfaults). Both have the same API: 13 where it
 * runs, 12 on Node 20.
 */
const major = Number(process.versions.node.split('.')[0]);

const driver = major >= 22 ? 'better-sqlite3-napi' : 'better-sqlite3';
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const Sqlite = require(driver) as typeof BetterSqlite3;
export type SqliteDatabase = BetterSqlite3.Database;
