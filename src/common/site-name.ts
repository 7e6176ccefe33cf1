/**
 * What the site calls itself in embed captions, iframe titles and oEmbed's `provider_name`:
 * SITE_NAME, else the host of the origin the links are made with (PUBLIC_URL's, or in
 * development the request's), without a leading `www.`. A copy of the site on another host then
 * never claims to be ipythonblocks.org.
 */
export function siteName(configured: string | undefined, originUrl: string): string {
  return configured ?? new URL(originUrl).host.replace(/^www\./, '');
}
