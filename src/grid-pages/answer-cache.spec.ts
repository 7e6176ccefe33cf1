import { AppConfig } from '../config/app-config';
import { AnswerCache } from './answer-cache';
import type { AnswerBody } from './immutable-answer';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Until `done()`: a finished answer frees its place only once it is compressed, on libuv's
 * thread pool, which a busy machine takes more than one turn of the loop to hand back.
 */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}

describe('AnswerCache, with the cache off', () => {
  const cache = new AnswerCache({ gridCacheBytes: 0 } as AppConfig);

  it('makes at most 4 answers at once, and lets the waiting ones in first come, first served', async () => {
    const started: number[] = [];
    const finish: (() => void)[] = [];
    let making = 0;
    let most = 0;
    const request = (n: number) =>
      cache.get(null, async () => {
        started.push(n);
        most = Math.max(most, ++making);
        await new Promise<void>((done) => finish.push(done));
        making--;
        return { body: Buffer.from(`${n}`), contentType: 'text/plain' } satisfies AnswerBody;
      });
    const answers = [0, 1, 2, 3, 4, 5].map(request);
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    // One finishes; a request arriving in the same moment queues behind the two waiting.
    finish.shift()!();
    answers.push(request(6));
    await until(() => started.length === 5);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    while (finish.length) {
      const count = started.length;
      finish.shift()!();
      await until(() => started.length > count || started.length === 7);
    }
    await Promise.all(answers);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(most).toBe(4);
  });
});

describe('AnswerCache, versioned answers', () => {
  const cache = new AnswerCache({ gridCacheBytes: 1024 * 1024 } as AppConfig);
  const made: string[] = [];
  const make = (text: string) => () => {
    made.push(text);
    return Promise.resolve({ body: Buffer.from(text), contentType: 'text/plain' });
  };
  const text = async (answer: Promise<{ bytes(): Promise<Buffer> } | null>) =>
    (await (await answer)!.bytes()).toString();

  it('keeps one answer per key: the same version is served as kept, another is made anew', async () => {
    expect(await text(cache.get('k', make('v1'), '1'))).toBe('v1');
    expect(await text(cache.get('k', make('again'), '1'))).toBe('v1');
    expect(await text(cache.get('k', make('v2'), '2'))).toBe('v2');
    expect(await text(cache.get('k', make('again'), '2'))).toBe('v2');
    expect(cache.size).toBe(1);
    // A version seen before is no older or newer: it is just not the one kept.
    expect(await text(cache.get('k', make('v1 again'), '1'))).toBe('v1 again');
    expect(made).toEqual(['v1', 'v2', 'v1 again']);
  });
});
