import type { Request, Response } from 'express';
import { ImmutableAnswer } from './immutable-answer';

/**
 * What every page route answers with, sent the one way: `send(req, res, cacheControl)`. Grid
 * answers are kept bytes (ImmutableAnswer); other pages are views rendered for the request, or
 * a redirect.
 */
export interface PageAnswer {
  send(req: Request, res: Response, cacheControl: string): Promise<void>;
}

/** A view rendered for this request (compressed by the app's compression middleware). */
export class RenderedPage implements PageAnswer {
  constructor(
    private readonly html: string,
    private readonly status = 200,
  ) {}

  send(_req: Request, res: Response, cacheControl: string): Promise<void> {
    res.status(this.status).type('html').setHeader('Cache-Control', cacheControl);
    res.send(this.html);
    return Promise.resolve();
  }
}

export class Redirect implements PageAnswer {
  constructor(
    private readonly location: string,
    private readonly status: 301 | 302 | 303 | 307 = 303,
  ) {}

  send(_req: Request, res: Response, cacheControl: string): Promise<void> {
    res.setHeader('Cache-Control', cacheControl);
    res.redirect(this.status, this.location);
    return Promise.resolve();
  }
}

export { ImmutableAnswer };
