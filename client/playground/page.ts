/**
 * The playground page: the editor, Run / Stop / Post, the output area, and the scripting seam
 * `window.ipbPlayground.run(code)`. Python starts in a worker when the learner shows they are
 * about to run (focus in the editor, a pointer on Run) or presses Run: never on page load, so a
 * visit that only reads costs the editor's bytes alone.
 */
import { createEditor } from './editor';
import { OutputArea } from './output';
import type { GridPostData, Outcome } from './protocol';
import { DEFAULT_TIME_LIMIT_MS, PythonSession, RunStopped } from './python-session';

/** `/static/play/worker.<hash>.js`, written in by the build. */
declare const PLAYGROUND_WORKER_URL: string;

interface RunOptions {
  /** Milliseconds the program may run (default 10 000). */
  timeLimitMs?: number;
}

declare global {
  interface Window {
    ipbPlayground: { run(code: string, options?: RunOptions): Promise<Outcome> };
  }
}

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the playground page has no #${id}`);
  return element as T;
}

const root = byId('playground');
const runButton = byId<HTMLButtonElement>('play-run');
const stopButton = byId<HTMLButtonElement>('play-stop');
const postButton = byId<HTMLButtonElement>('play-post');
const secretBox = byId<HTMLInputElement>('play-secret');
const postReason = byId('play-post-reason');
const postMessage = byId('play-post-message');
const statusLine = byId('play-status');
const output = new OutputArea(byId('play-output'));
/** "<id>" or "secret/<id>": the grid this page was opened from, which a post remixes. */
const remixOf = root.dataset.remixOf || null;

const session = new PythonSession(PLAYGROUND_WORKER_URL);
const editor = createEditor(
  byId<HTMLTextAreaElement>('play-code'),
  'play-code-label',
  () => void runFromPage(),
  warmUp,
);

/** What a post sends: the grid the last run displayed last, and that run's code. */
let lastRun: { grid: GridPostData | null; code: string } | null = null;
let posting = false;
/** Runs one after the other: a seam call made during a run waits for it. */
let queue: Promise<unknown> = Promise.resolve();

function setStatus(text: string): void {
  statusLine.textContent = text;
}

function warmUp(): void {
  if (!session.running) session.start().catch(() => undefined);
}

function updateControls(): void {
  const running = session.running;
  runButton.disabled = running;
  stopButton.disabled = !running;
  let reason = '';
  if (running) reason = 'Post is ready when the program has finished.';
  else if (!lastRun?.grid) {
    reason = 'Run a program that shows a grid (grid.show(), or grid on its last line) to post it.';
  }
  postButton.disabled = posting || reason !== '';
  postReason.textContent = reason;
  postReason.hidden = reason === '';
}

async function execute(code: string, timeLimitMs: number): Promise<Outcome> {
  output.clear();
  postMessage.textContent = '';
  lastRun = null;
  setStatus(session.versions ? 'Running…' : 'Starting Python (the first run downloads it)…');
  const run = session.run(
    code,
    [code],
    {
      onEvent: (event) => output.event(event),
      onStdout: (text) => output.stdout(text),
      onStarted: () => setStatus('Running…'),
    },
    timeLimitMs,
  );
  updateControls();
  try {
    const answer = await run;
    output.finish(answer);
    lastRun = { grid: answer.last_grid, code };
    const { error } = answer.outcome;
    // Announced (the status line is a live region): what the program drew, for those who hear it.
    const words = answer.last_grid ? output.describe(answer.last_grid) : null;
    const drew = words ? ` Drew ${words.charAt(0).toLowerCase()}${words.slice(1)}` : '';
    setStatus(`${error ? `Finished with ${error.type}.` : 'Finished.'}${drew}`);
    return answer.outcome;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    output.notice(message);
    setStatus(message);
    // A stopped program's worker is gone: start the next one now, so the next Run is quick.
    if (err instanceof RunStopped && err.reason !== 'no-python') warmUp();
    throw err;
  } finally {
    updateControls();
  }
}

function enqueue(code: string, timeLimitMs: number): Promise<Outcome> {
  const next = queue.then(() => execute(code, timeLimitMs));
  queue = next.catch(() => undefined);
  return next;
}

async function runFromPage(): Promise<void> {
  if (session.running) return;
  await enqueue(editor.code(), DEFAULT_TIME_LIMIT_MS).catch(() => undefined);
}

async function post(): Promise<void> {
  const versions = session.versions;
  if (!lastRun?.grid || !versions || posting) return;
  // The keys in the order the Python client sends them, then the playground's own.
  const body = {
    python_version: versions.pythonVersion,
    ipb_version: versions.ipbVersion,
    ipb_class: lastRun.grid.ipb_class,
    code_cells: [lastRun.code],
    secret: secretBox.checked,
    grid_data: lastRun.grid.grid_data,
    ...(remixOf ? { remix_of: remixOf } : {}),
  };
  posting = true;
  updateControls();
  postMessage.textContent = '';
  setStatus('Posting…');
  try {
    const res = await fetch('/post', { method: 'POST', body: JSON.stringify(body) });
    const answer = (await res.json().catch(() => null)) as { url?: string; message?: string };
    if (res.ok && typeof answer?.url === 'string') {
      setStatus('Posted: opening its page…');
      // Its page on this site, whatever origin the server names in the URL.
      window.location.assign(new URL(answer.url, window.location.href).pathname);
      return;
    }
    const why = answer?.message ?? `the site answered ${res.status}`;
    postMessage.textContent = `Not posted: ${why}`;
    setStatus('Not posted.');
  } catch (err) {
    postMessage.textContent = `Not posted: ${err instanceof Error ? err.message : String(err)}`;
    setStatus('Not posted.');
  } finally {
    posting = false;
    updateControls();
  }
}

runButton.addEventListener('click', () => void runFromPage());
runButton.addEventListener('pointerenter', warmUp);
runButton.addEventListener('focus', warmUp);
stopButton.addEventListener('click', () => session.stop());
postButton.addEventListener('click', () => void post());
// Ctrl/Cmd+Enter anywhere on the page, not only in the editor (which handles it itself).
document.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.defaultPrevented) {
    event.preventDefault();
    void runFromPage();
  }
});

window.ipbPlayground = {
  run: (code, options = {}) => enqueue(code, options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS),
};
root.classList.add('ready');
updateControls();
