import { Injectable } from '@nestjs/common';

/**
 * Whether this process is still serving: it drains on SIGTERM, and it must stop when it can no
 * longer trust its database (the embedded data folder's lock lost, its PGlite broken). main.ts
 * turns a failure into an exit; /health reports both states.
 */
@Injectable()
export class AppLifecycle {
  private isDraining = false;
  private failureReason?: string;
  private readonly failureListeners: ((reason: string) => void)[] = [];

  get draining(): boolean {
    return this.isDraining;
  }

  /** Why the process must stop, when it must. */
  get failure(): string | undefined {
    return this.failureReason;
  }

  /** From now on /health answers 503 (main.ts lets go of the connections: HttpDrain). */
  startDraining(): void {
    this.isDraining = true;
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
