import { leaveRunDir } from './support/run-dir';

/** Whatever the tests did, and whether they passed or not, their temp folder goes. */
export default function globalTeardown(): void {
  leaveRunDir();
}
