import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Server } from 'node:http';

/**
 * Whether this process is still serving: it drains on SIGTERM, and it must stop when it can no
 * longer trust its database (the embedded data folder's lock lost, its PGlite broken). main.ts
 * turns a failure into an exit; /health reports both states.
 */
@Injectable()
export class AppLifecycle {
  private drainingServer?: Server;
  private isDraining = false;
  private failureReason?: string;
  private readonly failureListeners: ((reason: string) => void)[] = [];
  /** Answers not yet sent: told to close their connection when the drain starts. */
  private readonly inFlight = new Set<Response>();

  get draining(): boolean {
    return this.isDraining;
  }

  /** Why the process must stop, when it must. */
  get failure(): string | undefined {
    return this.failureReason;
  }

  /**
   * Express middleware, first in line. While draining, every answer carries `Connection: close`,
   * so a keep-alive client busy with requests lets go of its socket after the current one.
   */
  closeConnectionsWhileDraining() {
    return (_req: Request, res: Response, next: NextFunction): void => {
      if (this.isDraining) {
        res.setHeader('Connection', 'close');
      } else {
        this.inFlight.add(res);
      }
      res.once('close', () => {
        this.inFlight.delete(res);
        // Its socket is idle now: close it rather than wait for the keep-alive timeout.
        if (this.drainingServer) setImmediate(() => this.drainingServer?.closeIdleConnections());
      });
      next();
    };
  }

  /**
   * From now on answers close their connections, and idle keep-alive connections are closed.
   * The caller stops the listener (app.close()); the process can exit once `server` is closed.
   */
  startDraining(server?: Server): void {
    this.isDraining = true;
    this.drainingServer ??= server;
    for (const res of this.inFlight) {
      if (!res.headersSent) res.setHeader('Connection', 'close');
    }
    this.inFlight.clear();
    this.drainingServer?.closeIdleConnections();
  }

  /** The process can no longer do its job and must exit non-zero (the first reason counts). */
  fail(reason: string): void {
    if (this.failureReason !== undefined) return;
    this.failureReason = reason;
    for (const listener of this.failureListeners) listener(reason);
  }

  onFailure(listener: (reason: string) => void): void {
    this.failureListeners.push(listener);
    if (this.failureReason !== undefined) listener(this.failureReason);
  }
}
