/** `html` as UTF-8 with each marker that is in it replaced by its bytes, in order. */
export function splice(html: string, parts: [marker: string, bytes: Uint8Array | null][]): Buffer {
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const [marker, bytes] of parts) {
    const at = bytes ? html.indexOf(marker, from) : -1;
    if (at < 0) continue;
    chunks.push(Buffer.from(html.slice(from, at), 'utf8'), bytes!);
    from = at + marker.length;
  }
  chunks.push(Buffer.from(html.slice(from), 'utf8'));
  return Buffer.concat(chunks);
}
