import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Client, type ClientConfig, type Notification } from 'pg';
import { AppConfig } from '../config/app-config';
import { sessionClientConfig } from '../database/database-options';
import type { Visibility } from './grid-data';
import {
  HiddenGridsRepository,
  MODERATION_CHANNEL,
  type ModerationEvent,
} from './hidden-grids.repository';

/** Reconnecting starts this soon after a loss, and backs off to the maximum. */
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5000;
/**
 * A listening connection that is silently dead (a stalled network), or that hears nothing (a
 * transaction pooler in front of it), is found within these.
 */
const HEARTBEAT_EVERY_MS = 10_000;
const HEARTBEAT_TIMEOUT_MS = 5000;
/** A probe sent through the pool is heard within this, or notifications do not arrive. */
const PROBE_TIMEOUT_MS = 2000;
/** While notifications do not arrive, the hidden list is read this often. */
export const POLL_EVERY_MS = 2000;

const keyOf = (visibility: Visibility, id: number) => `${visibility}:${id}`;

/** The one connection that listens, outside the pool. */
interface Listening {
  client: Client;
  heartbeat?: NodeJS.Timeout;
  /** Events heard while the hidden list is being read, applied after it. */
  buffered?: ModerationEvent[];
}

/** A probe on MODERATION_CHANNEL: what this process sent itself, and what hears it. */
interface Probe {
  nonce: string;
  heard: () => void;
}

/**
 * The hidden grids, in this process's memory, so that an answer served from the cache needs no
 * database to know it must not be served. Kept current by LISTEN on MODERATION_CHANNEL: a hide
 * committed anywhere reaches every web process in milliseconds, and the process drops what it
 * had cached for that grid (`onHidden`). A process whose listening connection was lost reads
 * the whole list again when it has a new one, so what it missed meanwhile is caught up.
 *
 * It listens on a server database, on a connection of its own to the direct DATABASE_URL (not
 * the pool: DATABASE_CONNECTION_POOL_URL may be a transaction pooler). A DATABASE_URL that is
 * itself a transaction pooler (Heroku's PgBouncer buildpack) takes LISTEN and answers every query
 * but delivers no notification: the heartbeat probes for that, a NOTIFY sent through the pool
 * that the listener must hear, and while it is not heard the list is read every POLL_EVERY_MS.
 * The embedded database is one process, and nothing else can write to it while the app runs: the
 * list is read at start.
 */
@Injectable()
export class HiddenGridSet implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(HiddenGridSet.name);
  private hidden = new Set<string>();
  private readonly hiddenListeners: ((visibility: Visibility, id: number) => void)[] = [];
  private readonly session: ClientConfig | undefined;
  private listening?: Listening;
  private probe?: Probe;
  private poll?: NodeJS.Timeout;
  private warnedNotHearing = false;
  private synced = false;
  private retryMs = RETRY_MIN_MS;
  private retry?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly repository: HiddenGridsRepository,
    config: AppConfig,
  ) {
    this.session = sessionClientConfig(config);
  }

  /** Whether the grid is hidden, as far as this process has heard: no database involved. */
  isHidden(visibility: Visibility, id: number): boolean {
    return this.hidden.has(keyOf(visibility, id));
  }

  /** Whether notifications are missed and the list is read on an interval instead. */
  get polling(): boolean {
    return this.poll !== undefined;
  }

  /**
   * Whether the grid is hidden, asked of the database: for an answer about to be made from it,
   * so that nothing is made of a hidden grid even while this process is not listening.
   */
  async isHiddenInStore(visibility: Visibility, id: number): Promise<boolean> {
    const hidden = (await this.repository.find(visibility, id)) !== null;
    if (hidden) this.apply({ visibility, id, hidden });
    return hidden;
  }

  /** `listener` hears every grid that becomes hidden, to drop what it kept of it. */
  onHidden(listener: (visibility: Visibility, id: number) => void): void {
    this.hiddenListeners.push(listener);
  }

  /** The list is read (and listening started) before the first request; retried if it fails. */
  async onApplicationBootstrap(): Promise<void> {
    await this.connect();
  }

  beforeApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.poll);
    this.poll = undefined;
    this.drop(this.listening);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let listening: Listening | undefined;
    try {
      if (this.session) {
        listening = await this.listen(this.session);
        listening.buffered = [];
      }
      // Read after LISTEN took effect, on any connection: what commits later is heard.
      const ids = await this.repository.listIds();
      if (this.stopped) return this.drop(listening);
      this.replace(ids);
      if (listening) {
        for (const event of listening.buffered!) this.apply(event);
        listening.buffered = undefined;
        listening.heartbeat = setInterval(() => void this.beat(listening!), HEARTBEAT_EVERY_MS);
        listening.heartbeat.unref();
        // Not awaited: a pooler that swallows notifications costs the boot nothing.
        void this.checkHearing(listening);
      }
      if (this.synced) {
        this.logger.log(`Hidden grids read again: ${this.hidden.size} hidden`);
      }
      this.synced = true;
      this.retryMs = RETRY_MIN_MS;
    } catch (err) {
      this.drop(this.listening);
      this.logger.warn(
        `Could not read the hidden grids (${(err as Error).message}): trying again in ${this.retryMs} ms`,
      );
      this.scheduleReconnect();
    }
  }

  private async listen(session: ClientConfig): Promise<Listening> {
    const client = new Client(session);
    const listening: Listening = { client };
    this.listening = listening;
    client.on('notification', (message: Notification) => this.heard(listening, message));
    // Kept for the client's life: a pg client with no 'error' listener would take the process
    // down with it.
    client.on('error', (err) => this.lost(listening, err));
    client.on('end', () => this.lost(listening, new Error('connection ended')));
    await client.connect();
    await client.query(`LISTEN ${MODERATION_CHANNEL}`);
    return listening;
  }

  private heard(listening: Listening, message: Notification): void {
    if (message.channel !== MODERATION_CHANNEL || listening !== this.listening) return;
    let event: ModerationEvent & { probe?: string };
    try {
      event = JSON.parse(message.payload ?? '') as ModerationEvent & { probe?: string };
    } catch {
      this.logger.warn(`Ignored a ${MODERATION_CHANNEL} notification that is not JSON`);
      return;
    }
    if (event.probe !== undefined) {
      // Probes of other processes are theirs to hear.
      if (event.probe === this.probe?.nonce) this.probe.heard();
      return;
    }
    if (listening.buffered) listening.buffered.push(event);
    else this.apply(event);
  }

  private async beat(listening: Listening): Promise<void> {
    try {
      await withTimeout(listening.client.query('SELECT 1'), HEARTBEAT_TIMEOUT_MS, 'a heartbeat');
    } catch (err) {
      this.lost(listening, err as Error);
      return;
    }
    await this.checkHearing(listening);
  }

  /**
   * Sends a probe through the pool (another session, as a hide's NOTIFY comes from) and waits for
   * the listener to hear it. Not heard: poll until a later probe is. A probe that cannot be sent
   * (the database is unreachable) says nothing about hearing: the state is kept.
   */
  private async checkHearing(listening: Listening): Promise<void> {
    if (this.probe) return;
    const nonce = randomUUID();
    let heard!: () => void;
    const arrived = new Promise<void>((resolve) => (heard = resolve));
    this.probe = { nonce, heard };
    try {
      await withTimeout(
        this.repository.announceProbe(nonce),
        HEARTBEAT_TIMEOUT_MS,
        'the probe NOTIFY',
      );
    } catch {
      this.probe = undefined;
      return;
    }
    const arrives = await withTimeout(arrived, PROBE_TIMEOUT_MS, 'the probe').then(
      () => true,
      () => false,
    );
    this.probe = undefined;
    if (this.stopped || listening !== this.listening) return;
    if (arrives) this.stopPolling();
    else this.startPolling();
  }

  private startPolling(): void {
    if (this.poll) return;
    if (!this.warnedNotHearing) {
      this.warnedNotHearing = true;
      this.logger.warn(
        `Notifications of hides do not arrive: a NOTIFY this process sent was not heard on its ` +
          `LISTEN connection within ${PROBE_TIMEOUT_MS} ms. DATABASE_URL is likely a ` +
          'transaction-mode pooler (PgBouncer), which keeps no session to listen on. Reading ' +
          `the hidden grids every ${POLL_EVERY_MS} ms instead; point DATABASE_URL at the ` +
          'database itself (and the pooler at DATABASE_CONNECTION_POOL_URL) to hear hides at once.',
      );
    }
    this.poll = setInterval(() => void this.readAgain(), POLL_EVERY_MS);
    this.poll.unref();
    void this.readAgain();
  }

  private stopPolling(): void {
    if (!this.poll) return;
    clearInterval(this.poll);
    this.poll = undefined;
    this.logger.log('Notifications of hides arrive again: no longer reading the list on a timer');
  }

  private async readAgain(): Promise<void> {
    try {
      const ids = await this.repository.listIds();
      if (this.poll && !this.stopped) this.replace(ids);
    } catch {
      // The database is away: /health and the requests say so; the next read catches up.
    }
  }

  private lost(listening: Listening, err: Error): void {
    if (listening !== this.listening || this.stopped) return;
    this.logger.warn(
      `The connection listening for hidden grids was lost (${err.message}): reconnecting, ` +
        'then reading the hidden grids again',
    );
    this.drop(listening);
    this.scheduleReconnect();
  }

  /** Closes the listening connection: it is its own, no pool takes it back. */
  private drop(listening: Listening | undefined): void {
    if (!listening) return;
    clearInterval(listening.heartbeat);
    if (this.listening === listening) this.listening = undefined;
    listening.client.end().catch(() => undefined);
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connect();
    }, this.retryMs);
    this.retry.unref();
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  /** The list as read: grids newly known to be hidden are announced, the rest is replaced. */
  private replace(ids: ModerationEvent[]): void {
    const previous = this.hidden;
    this.hidden = new Set(ids.map((e) => keyOf(e.visibility, e.id)));
    for (const { visibility, id } of ids) {
      if (!previous.has(keyOf(visibility, id))) this.announceHidden(visibility, id);
    }
  }

  private apply({ visibility, id, hidden }: ModerationEvent): void {
    const key = keyOf(visibility, id);
    if (!hidden) {
      this.hidden.delete(key);
      return;
    }
    this.hidden.add(key);
    // Also when it was known already: whatever was made of it meanwhile goes too.
    this.announceHidden(visibility, id);
  }

  private announceHidden(visibility: Visibility, id: number): void {
    for (const listener of this.hiddenListeners) listener(visibility, id);
  }
}

/** `work`, or a rejection naming `what` when it has not settled within `ms`. */
async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer to ${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
