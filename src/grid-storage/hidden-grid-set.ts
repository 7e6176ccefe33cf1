import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Notification, PoolClient } from 'pg';
import { DataSource, type QueryRunner } from 'typeorm';
import { AppConfig } from '../config/app-config';
import type { Visibility } from './grid-data';
import {
  HiddenGridsRepository,
  MODERATION_CHANNEL,
  type ModerationEvent,
} from './hidden-grids.repository';

/** Reconnecting starts this soon after a loss, and backs off to the maximum. */
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5000;
/** A listening connection that is silently dead (a stalled network) is found within these. */
const HEARTBEAT_EVERY_MS = 10_000;
const HEARTBEAT_TIMEOUT_MS = 5000;

const keyOf = (visibility: Visibility, id: number) => `${visibility}:${id}`;

/** The one connection that listens: TypeORM's query runner, its pg client for notifications. */
interface Listening {
  runner: QueryRunner;
  client: PoolClient;
  heartbeat?: NodeJS.Timeout;
  /** Events heard while the hidden list is being read, applied after it. */
  buffered?: ModerationEvent[];
}

/**
 * The hidden grids, in this process's memory, so that an answer served from the cache needs no
 * database to know it must not be served. Kept current by LISTEN on MODERATION_CHANNEL: a hide
 * committed anywhere reaches every web process in milliseconds, and the process drops what it
 * had cached for that grid (`onHidden`). A process whose listening connection was lost reads
 * the whole list again when it has a new one, so what it missed meanwhile is caught up.
 *
 * It listens on a server database with a pool of 2 or more (it takes one of the pool's
 * connections for good). The embedded database is one process and one connection, and nothing
 * else can write to it while the app runs: the list is read at start. A server with a pool of
 * 1 (only test setups) gets the same: with nothing left for requests, it could not listen.
 */
@Injectable()
export class HiddenGridSet implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(HiddenGridSet.name);
  private hidden = new Set<string>();
  private readonly hiddenListeners: ((visibility: Visibility, id: number) => void)[] = [];
  private readonly listens: boolean;
  private listening?: Listening;
  private synced = false;
  private retryMs = RETRY_MIN_MS;
  private retry?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: HiddenGridsRepository,
    config: AppConfig,
  ) {
    this.listens = config.database.kind === 'server' && config.database.poolMax >= 2;
  }

  /** Whether the grid is hidden, as far as this process has heard: no database involved. */
  isHidden(visibility: Visibility, id: number): boolean {
    return this.hidden.has(keyOf(visibility, id));
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
    this.drop(this.listening);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let listening: Listening | undefined;
    try {
      if (this.listens) {
        listening = await this.listen();
        listening.buffered = [];
      }
      const ids = await this.repository.listIds(listening?.runner.manager);
      if (this.stopped) return this.drop(listening);
      this.replace(ids);
      if (listening) {
        for (const event of listening.buffered!) this.apply(event);
        listening.buffered = undefined;
        listening.heartbeat = setInterval(() => void this.beat(listening!), HEARTBEAT_EVERY_MS);
        listening.heartbeat.unref();
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

  /**
   * The listening connection, taken through TypeORM's query runner (the one place this
   * happens): LISTEN needs a session of its own, and the pg client under it to hear notifications.
   */
  private async listen(): Promise<Listening> {
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    const listening: Listening = { runner, client };
    this.listening = listening;
    client.on('notification', (message: Notification) => this.heard(listening, message));
    // Kept for the client's life: a checked-out pg client with no 'error' listener would take
    // the process down with it.
    client.on('error', (err) => this.lost(listening, err));
    client.on('end', () => this.lost(listening, new Error('connection ended')));
    await runner.query(`LISTEN ${MODERATION_CHANNEL}`);
    return listening;
  }

  private heard(listening: Listening, message: Notification): void {
    if (message.channel !== MODERATION_CHANNEL || listening !== this.listening) return;
    let event: ModerationEvent;
    try {
      event = JSON.parse(message.payload ?? '') as ModerationEvent;
    } catch {
      this.logger.warn(`Ignored a ${MODERATION_CHANNEL} notification that is not JSON`);
      return;
    }
    if (listening.buffered) listening.buffered.push(event);
    else this.apply(event);
  }

  private async beat(listening: Listening): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer to a heartbeat within ${HEARTBEAT_TIMEOUT_MS} ms`)),
        HEARTBEAT_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([listening.runner.query('SELECT 1'), timeout]);
    } catch (err) {
      this.lost(listening, err as Error);
    } finally {
      clearTimeout(timer);
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

  /**
   * Closes the connection and gives it back to TypeORM's pool, which drops a closed client: a
   * session that listens (or may be broken) is never handed to a request.
   */
  private drop(listening: Listening | undefined): void {
    if (!listening) return;
    clearInterval(listening.heartbeat);
    if (this.listening === listening) this.listening = undefined;
    listening.client.end().catch(() => undefined);
    void listening.runner.release();
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
