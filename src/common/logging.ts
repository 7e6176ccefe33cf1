import type { LoggerService } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import pino, { destination, Logger, transport } from 'pino';
import { type AppConfig, prettyLogsWanted } from '../config/app-config';

/** The longest a line waits in the buffer: Heroku shows a quiet dyno's lines within a second. */
export const LOG_FLUSH_INTERVAL_MS = 500;

/** pino's level number for `warn`: from there on, a line is written the moment it is logged. */
const WRITE_AT_ONCE_LEVEL = pino.levels.values.warn;

type Destination = ReturnType<typeof destination>;

let stdout: Destination | undefined;

/**
 * The process's one buffered stdout, shared by every logger it makes (the boot logger, the app's,
 * a test app's): one buffer keeps their lines in order. Synchronous writes of whole buffers: a
 * write syscall per request line would cost more than serving the request, but one per 4 KB costs
 * nothing, and a synchronous write is out before the next line (an asynchronous one is still in
 * libuv's threads when the process exits). Flushed every LOG_FLUSH_INTERVAL_MS (a timer that
 * keeps no process alive) and when the process exits, however it exits but SIGKILL.
 */
function stdoutDestination(): Destination {
  if (stdout) return stdout;
  const stream = destination({
    dest: 1,
    sync: true,
    minLength: 4096,
    periodicFlush: LOG_FLUSH_INTERVAL_MS,
  });
  process.once('exit', () => stream.flushSync());
  return (stdout = stream);
}

/**
 * The process's one pino logger: one JSON object per line on stdout, what Heroku's log drains
 * expect, or readable lines on a developer's terminal. Warnings and errors are written at once,
 * with whatever was buffered before them: they may be the last lines before a crash.
 */
export function createRootLogger(settings: Pick<AppConfig, 'prettyLogs' | 'logLevel'>): Logger {
  if (settings.prettyLogs) {
    return pino(
      { level: settings.logLevel, base: { pid: process.pid } },
      transport({ target: 'pino-pretty', options: { singleLine: true } }),
    );
  }
  const stream = stdoutDestination();
  return pino(
    {
      level: settings.logLevel,
      base: { pid: process.pid },
      hooks: {
        logMethod(args, method, level) {
          method.apply(this, args);
          if (level >= WRITE_AT_ONCE_LEVEL) stream.flushSync();
        },
      },
    },
    stream,
  );
}

/**
 * The logger that exists before the configuration is validated, made from the raw environment
 * by the rules AppConfig applies: a start that fails (invalid environment, database down, data
 * folder locked) is logged in the format of a running app, JSON lines in production.
 */
export function createBootLogger(env: NodeJS.ProcessEnv): Logger {
  const level = env.LOG_LEVEL !== undefined && env.LOG_LEVEL in pino.levels.values;
  return createRootLogger({
    prettyLogs: prettyLogsWanted(env.LOG_FORMAT, env.NODE_ENV === 'production'),
    logLevel: level ? env.LOG_LEVEL! : 'info',
  });
}

/**
 * Nest's account of its start (every module, controller and route: about 30 lines) is the same
 * on every start: debug, not info.
 */
const NEST_BOOT_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
]);

/** Nest's own messages (and `new Logger(context)` in our classes) through pino. */
export class PinoNestLogger implements LoggerService {
  /** `ignored`: contexts whose messages are dropped (main.ts logs those errors itself). */
  constructor(
    private readonly root: Logger,
    private readonly ignored: ReadonlySet<string> = new Set(),
  ) {}

  log(message: unknown, context?: string): void {
    this.write(context && NEST_BOOT_CONTEXTS.has(context) ? 'debug' : 'info', message, context);
  }
  error(message: unknown, stackOrContext?: string, context?: string): void {
    // Nest passes (message, stack, context), or (message, context) when there is no stack.
    if (context === undefined) this.write('error', message, stackOrContext);
    else this.write('error', message, context, stackOrContext);
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.write('fatal', message, context);
  }

  private write(level: pino.Level, message: unknown, context?: string, stack?: string): void {
    if (context !== undefined && this.ignored.has(context)) return;
    if (message instanceof Error) {
      this.root[level]({ context, err: message }, message.message);
    } else if (stack) {
      this.root[level]({ context, err: { stack } }, String(message));
    } else {
      this.root[level]({ context }, typeof message === 'string' ? message : String(message));
    }
  }
}

/** Heroku's router sends X-Request-ID; anything odd is replaced rather than echoed back. */
const REQUEST_ID = /^[\w.:-]{1,200}$/;

/**
 * Gives each request an id (echoed in X-Request-Id) and, when `log` is on, logs one line when it
 * ends: method, path, status, milliseconds, and `aborted` when the client left before the answer
 * was complete (at info: a client that goes away is no error of ours). Never headers, never bodies.
 */
export function requestLogging(root: Logger, log: boolean) {
  const http = root.child({ context: 'HTTP' });
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    (req as Request & { id: string }).id = id;
    if (log) {
      const start = performance.now();
      // 'close', not 'finish': 'finish' never comes when the connection ends first, and a client
      // may hang up as soon as it has the last byte, before this side has seen its write done.
      res.once('close', () => {
        const ms = Math.round(performance.now() - start);
        const status = res.statusCode;
        const line = { reqId: id, method: req.method, url: req.originalUrl, status, ms };
        if (res.writableEnded) {
          // Answered whole: every byte was handed to the socket.
          http[status >= 500 ? 'error' : 'info'](
            line,
            `${req.method} ${req.originalUrl} ${status} ${ms}ms`,
          );
        } else {
          http.info(
            { ...line, aborted: true },
            `${req.method} ${req.originalUrl} ${status}: the client went away after ${ms}ms`,
          );
        }
      });
    }
    next();
  };
}

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');
