import { leaveRunDir } from './support/run-dir';
import { dropServerDatabases } from './support/test-database';

/** Whatever the tests did, and whether they passed or not, their databases and temp folder go. */
export default async function globalTeardown(): Promise<void> {
  await dropServerDatabases();
  leaveRunDir();
}
