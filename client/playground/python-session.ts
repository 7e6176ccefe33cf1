import type { DisplayEvent, FromWorker, RunAnswer, ToWorker } from './protocol';

/** How long Python may take to start (download included) before the page says it cannot. */
export const START_TIMEOUT_MS = 20_000;
/** How long a program may run before it is stopped. */
export const DEFAULT_TIME_LIMIT_MS = 10_000;

export interface PythonInfo {
  pythonVersion: (number | string)[];
  ipbVersion: string;
}

export interface RunHandlers {
  onEvent(event: DisplayEvent): void;
  onStdout(text: string): void;
  /** Python is ready and the program starts now (its time limit starts with it). */
  onStarted(): void;
}

/** Why a run gave no answer; `message` is for the learner. */
export class RunStopped extends Error {
  constructor(
    readonly reason: 'stopped' | 'time-limit' | 'no-python' | 'crashed',
    message: string,
  ) {
    super(message);
  }
}

interface PendingRun {
  id: number;
  handlers: RunHandlers;
  timeLimitMs: number;
  timer?: ReturnType<typeof setTimeout>;
  resolve(answer: RunAnswer): void;
  reject(err: RunStopped): void;
}

/**
 * Python in a worker, one program at a time. Stopping a program ends its worker (the only way
 * to stop code that never yields); the next run gets a new one. A worker that does not say it
 * is ready within START_TIMEOUT_MS is ended too, and the run says why.
 */
export class PythonSession {
  private worker: Worker | null = null;
  private ready: Promise<PythonInfo> | null = null;
  private info: PythonInfo | null = null;
  private current: PendingRun | null = null;
  private nextId = 1;

  constructor(private readonly workerUrl: string) {}

  get running(): boolean {
    return this.current !== null;
  }

  /** Versions for a post, once Python has started. */
  get versions(): PythonInfo | null {
    return this.info;
  }

  /** Starts Python now if it is not started or starting (the page warms up before Run). */
  start(): Promise<PythonInfo> {
    this.ready ??= this.spawn();
    return this.ready;
  }

  async run(code: string, codeCells: string[] | null, handlers: RunHandlers, timeLimitMs: number) {
    if (this.current) throw new RunStopped('stopped', 'A program is running already');
    const id = this.nextId++;
    const answer = new Promise<RunAnswer>((resolve, reject) => {
      this.current = { id, handlers, timeLimitMs, resolve, reject };
    });
    try {
      await this.start();
    } catch (err) {
      // Unless this run was stopped while Python was starting, and another began since.
      if (this.isCurrent(id)) this.end(err as RunStopped);
      return answer;
    }
    if (this.isCurrent(id)) {
      this.worker?.postMessage({ type: 'run', id, code, codeCells } satisfies ToWorker);
    }
    return answer;
  }

  private isCurrent(id: number): boolean {
    return this.current?.id === id;
  }

  /** Stops the program (or the start of Python) now. */
  stop(): void {
    this.end(new RunStopped('stopped', 'Stopped: the program did not finish.'));
  }

  private spawn(): Promise<PythonInfo> {
    const worker = new Worker(this.workerUrl, { type: 'module', name: 'python' });
    this.worker = worker;
    return new Promise<PythonInfo>((resolve, reject) => {
      const fail = (message: string) => {
        clearTimeout(timer);
        this.discardWorker(worker);
        reject(new RunStopped('no-python', message));
      };
      const timer = setTimeout(
        () =>
          fail(
            `Python did not start within ${START_TIMEOUT_MS / 1000} s (a slow or blocked ` +
              'download?). Press Run to try again.',
          ),
        START_TIMEOUT_MS,
      );
      worker.addEventListener('error', (event) => {
        event.preventDefault();
        fail(`Python could not start in this browser: ${event.message || 'its worker failed'}`);
      });
      worker.addEventListener('message', (event: MessageEvent<FromWorker>) => {
        const message = event.data;
        if (message.type === 'ready') {
          clearTimeout(timer);
          this.info = { pythonVersion: message.pythonVersion, ipbVersion: message.ipbVersion };
          resolve(this.info);
        } else if (message.type === 'loadError') {
          fail(
            `Python could not start in this browser: ${message.message}. This needs ` +
              'WebAssembly and a download of about 6 MB.',
          );
        } else {
          this.onRunMessage(message);
        }
      });
    });
  }

  private onRunMessage(message: FromWorker): void {
    const run = this.current;
    if (!run || !('id' in message) || message.id !== run.id) return;
    switch (message.type) {
      case 'started':
        run.timer = setTimeout(() => {
          const seconds = run.timeLimitMs / 1000;
          this.end(
            new RunStopped(
              'time-limit',
              `Stopped after ${seconds} s: programs may run for ${seconds} s at most ` +
                '(is there a loop that never ends?).',
            ),
          );
        }, run.timeLimitMs);
        run.handlers.onStarted();
        break;
      case 'event':
        run.handlers.onEvent(message.event);
        break;
      case 'stdout':
        run.handlers.onStdout(message.text);
        break;
      case 'done':
        clearTimeout(run.timer);
        this.current = null;
        run.resolve(message.answer);
        break;
      case 'crashed':
        this.end(
          new RunStopped(
            'crashed',
            `Python stopped working (${message.message}): the program may have used too much ` +
              'memory. Press Run to start again.',
          ),
        );
        break;
    }
  }

  /** Ends the current run with `reason`, and its worker: no program stops any other way. */
  private end(reason: RunStopped): void {
    const run = this.current;
    if (this.worker) this.discardWorker(this.worker);
    if (!run) return;
    clearTimeout(run.timer);
    this.current = null;
    run.reject(reason);
  }

  private discardWorker(worker: Worker): void {
    worker.terminate();
    if (this.worker === worker) {
      this.worker = null;
      this.ready = null;
    }
  }
}
