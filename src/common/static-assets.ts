import type { NextFunction, Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { PUBLIC_DIR } from './paths';

const PREFIX = '/static/';
/** Files that browsers and crawlers ask for at the site's root, under these fixed names. */
const ROOT_FILES = ['favicon.ico', 'robots.txt'];

/**
 * Files in public/ are served under names that carry a hash of their content
 * (`/static/css/site.3f9a1c2b.css`), so they can be cached for a year and a changed file is
 * fetched again at once. Views ask for them with `{{asset "css/site.css"}}`. The plain name is
 * served too, cached for a day, for the url()s inside stylesheets; and ROOT_FILES at `/<name>`.
 */
export class StaticAssets {
  /** 'css/site.css' -> '/static/css/site.3f9a1c2b.css' */
  private readonly urls = new Map<string, string>();
  /** '/static/css/site.3f9a1c2b.css' -> absolute file path */
  private readonly files = new Map<string, string>();
  /** '/static/fonts/x.woff2' -> absolute file path: for url()s inside CSS, which stay unhashed */
  private readonly plainFiles = new Map<string, string>();

  constructor(root = PUBLIC_DIR) {
    for (const file of walk(root)) {
      const name = relative(root, file).split(sep).join('/');
      const hash = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 10);
      const dot = name.lastIndexOf('.');
      const url = `${PREFIX}${name.slice(0, dot)}.${hash}${name.slice(dot)}`;
      this.urls.set(name, url);
      this.files.set(url, file);
      this.plainFiles.set(`${PREFIX}${name}`, file);
      if (ROOT_FILES.includes(name)) this.plainFiles.set(`/${name}`, file);
    }
  }

  url(name: string): string {
    const url = this.urls.get(name);
    if (!url) throw new Error(`No asset public/${name}`);
    return url;
  }

  /** Serves hashed asset URLs; a stale hash is a 404, not someone else's file. */
  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return next();
      const hashed = this.files.get(req.path);
      const file = hashed ?? this.plainFiles.get(req.path);
      if (!file) return next();
      const cache = hashed ? { maxAge: '365d', immutable: true } : { maxAge: '1d' };
      res.sendFile(file, { ...cache, dotfiles: 'deny' }, (err) => {
        if (err && !res.headersSent) next(err);
      });
    };
  }
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile() && !entry.name.startsWith('.')) yield path;
  }
}
