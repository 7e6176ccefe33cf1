/**
 * The playground's Python sources are imported as text: esbuild's `text` loader in the browser
 * bundle, test/jest/text-transform.js under jest.
 */
declare module '*.py' {
  const text: string;
  export default text;
}
