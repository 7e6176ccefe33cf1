/**
 * Every route that serves the grid at `path` (`/<id>` or `/secret/<id>`) on the server at
 * `baseUrl`: what hiding a grid must take down, each new format included.
 */
export function gridRoutes(baseUrl: string, path: string): string[] {
  return [
    path,
    `/get${path}`,
    `${path}.png`,
    `${path}.png?size=thumb`,
    `${path}.py`,
    `${path}.svg`,
    `${path}.ipynb`,
    `${path}/embed`,
    `${path}/play`,
    `${path}/remixes`,
    `/oembed?url=${encodeURIComponent(`${baseUrl}${path}`)}`,
  ];
}
