import { BadRequestException } from '@nestjs/common';
import type { Request } from 'express';
import { isIPv6 } from 'node:net';
import type { Visibility } from '../grid-storage/grid-data';

/** The origin a page's links and a posted grid's URL are made with. */
export interface Origin {
  /** e.g. `http://www.ipythonblocks.org`, no trailing slash. */
  url: string;
  /**
   * `configured`: PUBLIC_URL, the one origin of the process. `request`: well-formed, but taken
   * from headers any client can write. `fallback`: the request named no usable host, so the
   * address its connection reached stands in.
   */
  source: 'configured' | 'request' | 'fallback';
}

// A DNS name or IPv4 address, or a bracketed IPv6 address, with an optional port: nothing that
// could carry a path, credentials or markup into a link.
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOST = new RegExp(`^(?:${LABEL}(?:\\.${LABEL})*|\\[[0-9a-f:.]+\\])(?::(\\d{1,5}))?$`, 'i');

/**
 * PUBLIC_URL, or else (development only: production requires it) the origin the request came in
 * on. Express reads X-Forwarded-Proto/Host only from the proxy hops it is told to trust, but a
 * trusted hop may still pass on anything a client wrote: only `http`/`https` and a well-formed
 * host are taken.
 */
export function publicOrigin(publicUrl: string | undefined, req: Request): Origin {
  if (publicUrl !== undefined) return { url: publicUrl, source: 'configured' };
  const protocol = req.protocol.toLowerCase();
  const scheme = protocol === 'https' ? 'https' : 'http';
  const host = req.host?.toLowerCase();
  if (host !== undefined && isWellFormedHost(host)) {
    return { url: `${scheme}://${host}`, source: 'request' };
  }
  // No Host (HTTP/1.0) or a malformed one: the address the connection reached is a working
  // link that no header chose.
  const { localAddress, localPort } = req.socket;
  const address = localAddress && isIPv6(localAddress) ? `[${localAddress}]` : localAddress;
  return { url: `http://${address ?? 'localhost'}:${localPort ?? 80}`, source: 'fallback' };
}

/**
 * The origin of a URL handed out to be shared. A stand-in address would be a broken link, so a
 * request without a usable host is refused, before anything is stored.
 */
export function shareableOrigin(publicUrl: string | undefined, req: Request): string {
  const origin = publicOrigin(publicUrl, req);
  if (origin.source === 'fallback') throw new BadRequestException('Missing or invalid Host header');
  return origin.url;
}

function isWellFormedHost(host: string): boolean {
  const match = host.length <= 260 ? HOST.exec(host) : null;
  return match !== null && (match[1] === undefined || Number(match[1]) <= 65535);
}

/** The path of a grid's page, relative to the origin. */
export function gridPagePath(visibility: Visibility, hashId: string): string {
  return `${visibility === 'secret' ? '/secret' : ''}/${hashId}`;
}
