import ipythonblocksInit from './python/ipythonblocks/__init__.py';
import ipythonblocksModule from './python/ipythonblocks/ipythonblocks.py';
import ipythonInit from './python/IPython/__init__.py';
import ipythonDisplay from './python/IPython/display.py';
import runner from './python/ipb_playground.py';

/**
 * The Python the playground runs, as text, by path relative to client/playground/python/. The
 * worker writes them into a folder on Pyodide's `sys.path` and imports `ipb_playground`.
 *
 * They are imported rather than fetched so they are part of the bundle's content hash: a page
 * and the module it runs cannot come from two releases. esbuild inlines them with its `text`
 * loader (`loader: { '.py': 'text' }`); jest loads them through test/jest/text-transform.js, so a
 * spec runs exactly the text the browser gets.
 */
export const PYTHON_FILES: { path: string; text: string }[] = [
  { path: 'ipythonblocks/__init__.py', text: ipythonblocksInit },
  { path: 'ipythonblocks/ipythonblocks.py', text: ipythonblocksModule },
  { path: 'IPython/__init__.py', text: ipythonInit },
  { path: 'IPython/display.py', text: ipythonDisplay },
  { path: 'ipb_playground.py', text: runner },
];

/** Where the worker and the specs put them: a folder of its own, first on `sys.path`. */
export const PYTHON_ROOT = '/home/pyodide/ipb-playground';

/** The part of a Pyodide instance that installing the files needs. */
export interface PythonFilesTarget {
  FS: { mkdirTree(path: string): void; writeFile(path: string, data: string): void };
  runPython(code: string): unknown;
}

/** Writes PYTHON_FILES under `root` and puts `root` first on `sys.path`, once per interpreter. */
export function installPythonFiles(pyodide: PythonFilesTarget, root = PYTHON_ROOT): void {
  for (const file of PYTHON_FILES) {
    const path = `${root}/${file.path}`;
    pyodide.FS.mkdirTree(path.slice(0, path.lastIndexOf('/')));
    pyodide.FS.writeFile(path, file.text);
  }
  // A JSON string of a plain path is also a valid Python string literal.
  pyodide.runPython(
    `import sys\nif ${JSON.stringify(root)} not in sys.path: sys.path.insert(0, ${JSON.stringify(root)})`,
  );
}
