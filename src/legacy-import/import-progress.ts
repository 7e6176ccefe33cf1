import { Presets, SingleBar } from 'cli-progress';

/** Where the import says how far it is. The service calls it; the command picks the kind. */
export interface ImportProgress {
  start(phase: string, total: number): void;
  update(done: number): void;
  stop(): void;
}

export const NO_PROGRESS: ImportProgress = { start() {}, update() {}, stop() {} };

/** A live bar (rows done of total, rows/s, ETA), for a person watching a terminal. */
export class TerminalProgress implements ImportProgress {
  private bar?: SingleBar;
  private rate = new RateMeter();

  constructor(private readonly stream: NodeJS.WriteStream) {}

  start(phase: string, total: number): void {
    this.stop();
    this.rate = new RateMeter();
    this.bar = new SingleBar(
      {
        stream: this.stream,
        format: `${phase} {bar} {percentage}% | {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}`,
        etaBuffer: 50,
        hideCursor: true,
      },
      Presets.shades_classic,
    );
    this.bar.start(total, 0, { rate: 0 });
  }

  update(done: number): void {
    this.bar?.update(done, { rate: this.rate.perSecond(done) });
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}

/** One line every few seconds, for logs and pipes where a redrawn bar would be noise. */
export class LineProgress implements ImportProgress {
  private phase = '';
  private total = 0;
  private done = 0;
  private lastLine = 0;
  private rate = new RateMeter();

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly everyMs = 5000,
  ) {}

  start(phase: string, total: number): void {
    Object.assign(this, { phase, total, done: 0, lastLine: Date.now(), rate: new RateMeter() });
  }

  update(done: number): void {
    this.done = done;
    if (Date.now() - this.lastLine >= this.everyMs) this.line();
  }

  stop(): void {
    if (this.phase) this.line();
    this.phase = '';
  }

  private line(): void {
    this.lastLine = Date.now();
    const rate = this.rate.perSecond(this.done);
    const pct = this.total > 0 ? Math.floor((this.done / this.total) * 100) : 100;
    const left = this.total - this.done;
    const eta = rate > 0 && left > 0 ? `, ETA ${Math.ceil(left / rate)} s` : '';
    this.stream.write(
      `${this.phase}: ${this.done}/${this.total} rows (${pct}%), ${rate} rows/s${eta}\n`,
    );
  }
}

class RateMeter {
  private readonly started = Date.now();

  perSecond(done: number): number {
    const seconds = (Date.now() - this.started) / 1000;
    return seconds > 0 ? Math.round(done / seconds) : 0;
  }
}
