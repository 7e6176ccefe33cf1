import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';

/**
 * The Content-Security-Policy of every page. The pages run no inline script; the grid table
 * carries inline styles (the library's own markup), hence the style-only 'unsafe-inline'. No
 * upgrade-insecure-requests: the installed client and old links speak plain http.
 */
const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
};

/** helmet's headers on every answer: no site may frame a page (see framableByAnySite). */
export function securityHeaders() {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    // Same-origin pages only; a grid picture may be shown by other sites (link previews).
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  });
}

const anyAncestor = helmet.contentSecurityPolicy({
  useDefaults: false,
  directives: { ...CSP_DIRECTIVES, frameAncestors: ['*'] },
});

/**
 * For the routes made to be framed (a grid's embed page), after securityHeaders: the same policy
 * with `frame-ancestors *`, and no X-Frame-Options (which would forbid what the policy allows in
 * browsers that read only it).
 */
export function framableByAnySite(req: Request, res: Response, next: NextFunction): void {
  res.removeHeader('X-Frame-Options');
  anyAncestor(req, res, next);
}

const playgroundCsp = helmet.contentSecurityPolicy({
  useDefaults: false,
  directives: {
    ...CSP_DIRECTIVES,
    scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
    workerSrc: ["'self'"],
  },
});

/**
 * For the playground's pages and the files they load, after securityHeaders: the same policy,
 * but WebAssembly may compile (`'wasm-unsafe-eval'`, never `'unsafe-eval'`: JavaScript's eval
 * stays refused) and a same-origin worker may start. A worker takes its policy from its own
 * script's answer, so the worker bundle carries this too.
 */
export function playgroundPolicy(req: Request, res: Response, next: NextFunction): void {
  playgroundCsp(req, res, next);
}
