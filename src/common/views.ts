import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Application } from 'express';
import hbs from 'hbs';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VIEWS_DIR } from './paths';
import { StaticAssets } from './static-assets';

const PARTIALS_DIR = join(VIEWS_DIR, 'partials');

let assets: StaticAssets | undefined;

/** The hashed asset names, read once per process: the public/ folder does not change at run time. */
export function staticAssets(): StaticAssets {
  assets ??= new StaticAssets();
  return assets;
}

/**
 * hbs with views/layout.hbs around every page. Partials are registered synchronously (hbs's own
 * registerPartials reads them in the background, so a first request could miss them).
 */
export function configureViews(app: NestExpressApplication): void {
  for (const file of readdirSync(PARTIALS_DIR)) {
    if (file.endsWith('.hbs')) {
      hbs.registerPartial(file.slice(0, -4), readFileSync(join(PARTIALS_DIR, file), 'utf8'));
    }
  }
  hbs.registerHelper('asset', (name: string) => staticAssets().url(name));
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  app.setBaseViewsDir(VIEWS_DIR);
  app.setViewEngine('hbs');
  // Templates are read once; Express only caches them by itself when NODE_ENV=production.
  app.set('view cache', true);
  app.use(staticAssets().middleware());
}

/** Renders a view (inside the layout) to a string, for answers that are cached. */
@Injectable()
export class ViewRenderer {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  render(view: string, locals: Record<string, unknown>): Promise<string> {
    const express = this.adapterHost.httpAdapter.getInstance<Application>();
    return new Promise((resolve, reject) => {
      express.render(view, locals, (err: Error | null, html?: string) =>
        err ? reject(err) : resolve(html ?? ''),
      );
    });
  }
}
