// PLACEHOLDER (replaced by part A). esbuild's text loader makes each .py import its text.
import runner from './python/ipb_playground.py';

/** The Python files the worker writes into Pyodide's file system, relative to python/. */
export const PYTHON_FILES: { path: string; text: string }[] = [
  { path: 'ipb_playground.py', text: runner },
];
