// @ts-check
/**
 * Loads a non-code file (the playground's Python sources) as a module whose default export is its
 * text: what esbuild's `text` loader does for the browser bundle, so client code that imports
 * `./python/x.py` runs the same under jest.
 */
module.exports = {
  /** @param {string} source */
  process(source) {
    return { code: `module.exports = ${JSON.stringify(source)};` };
  },
};
