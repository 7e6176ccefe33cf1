import type { Request } from 'express';
import type { Visibility } from './grid-data';

/**
 * The origin pages and posted URLs use: PUBLIC_URL, or else the origin the request came in on
 * (Express reads X-Forwarded-Proto/Host only from the proxy hops it is told to trust).
 */
export function publicOrigin(publicUrl: string | undefined, req: Request): string {
  return publicUrl ?? `${req.protocol}://${req.host}`;
}

/** The path of a grid's page, relative to the origin. */
export function gridPagePath(visibility: Visibility, hashId: string): string {
  return `${visibility === 'secret' ? '/secret' : ''}/${hashId}`;
}
