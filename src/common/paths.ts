import { join } from 'node:path';

/** The project folder, from src/common (ts-node, jest) as from dist/common (the build). */
export const PROJECT_ROOT = join(__dirname, '..', '..');
export const VIEWS_DIR = join(PROJECT_ROOT, 'views');
export const PUBLIC_DIR = join(PROJECT_ROOT, 'public');
