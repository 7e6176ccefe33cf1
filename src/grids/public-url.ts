import type { Request } from 'express';
import type { Visibility } from './grid-data';

/**
 * The page URL of a grid. Without PUBLIC_URL it is the origin the request came in on; Express
 * reads X-Forwarded-Proto/Host only from the proxy hops it is told to trust.
 */
export function gridPageUrl(
  publicUrl: string | undefined,
  req: Request,
  visibility: Visibility,
  hashId: string,
): string {
  const origin = publicUrl ?? `${req.protocol}://${req.host}`;
  return `${origin}${visibility === 'secret' ? '/secret' : ''}/${hashId}`;
}
