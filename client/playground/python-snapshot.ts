/**
 * Python's start in a returning visitor's browser: most of the seconds it takes are Python
 * initialising itself, the same work every time. So the first start saves the initialised
 * interpreter's memory (Pyodide's memory snapshot, taken before any learner code has run) in the
 * Cache API, and later starts restore it instead (~0.3 s rather than 2-4 s on this 2-core
 * machine).
 *
 * Keyed by the worker's own URL, whose hash covers Pyodide's directory and the playground's
 * Python files: a deploy that changes either makes a new snapshot and drops the old. A marker is
 * saved while a snapshot is being restored and removed once that worked; a start that finds the
 * marker (the last restore never finished: a browser update, a crash) drops the snapshot, so a
 * bad one costs one slow start, not every start. Where the Cache API is missing (plain http on a
 * host other than localhost) every start is a full one.
 */
const CACHE_NAME = 'ipb-playground-python';

function available(): boolean {
  return typeof caches === 'object' && caches !== null;
}

export class SnapshotStore {
  private readonly marker: string;

  constructor(private readonly key: string) {
    this.marker = `${key}-restoring`;
  }

  /** The saved snapshot, to restore (call `restored` once that worked); or null. */
  async take(): Promise<Uint8Array | null> {
    if (!available()) return null;
    try {
      const cache = await caches.open(CACHE_NAME);
      if (await cache.match(this.marker)) {
        await cache.delete(this.key);
        await cache.delete(this.marker);
        return null;
      }
      const res = await cache.match(this.key);
      if (!res) return null;
      await cache.put(this.marker, new Response(''));
      return new Uint8Array(await res.arrayBuffer());
    } catch {
      return null;
    }
  }

  /** The snapshot `take` gave restored well: it stays for the next start. */
  async restored(): Promise<void> {
    if (!available()) return;
    try {
      await (await caches.open(CACHE_NAME)).delete(this.marker);
    } catch {
      // Then the next start drops it and makes a new one: slower once, never wrong.
    }
  }

  /** Saves `snapshot` as the one snapshot kept (older ones are dropped). Never fails the start. */
  async keep(snapshot: Uint8Array): Promise<void> {
    if (!available()) return;
    try {
      const cache = await caches.open(CACHE_NAME);
      for (const request of await cache.keys()) {
        if (request.url !== this.key) await cache.delete(request);
      }
      await cache.put(this.key, new Response(snapshot as BufferSource));
    } catch {
      // A full or refused storage only means the next start is a full one.
    }
  }
}
