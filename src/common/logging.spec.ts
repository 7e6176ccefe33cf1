import pino from 'pino';
import { Writable } from 'node:stream';
import { PinoNestLogger } from './logging';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: new PinoNestLogger(pino({ base: null }, stream)) };
}

describe('PinoNestLogger', () => {
  it('logs errors with their stack and context, one JSON object per line', () => {
    const { lines, logger } = capture();
    logger.error('query failed', 'Error: query failed\n    at run (db.ts:1:1)', 'Database');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, context: 'Database', msg: 'query failed' });
    expect((lines[0].err as { stack: string }).stack).toContain('at run (db.ts:1:1)');
  });

  it('logs an Error object with its stack', () => {
    const { lines, logger } = capture();
    logger.error(new Error('boom'), 'Exceptions');
    expect(lines[0]).toMatchObject({ level: 50, context: 'Exceptions', msg: 'boom' });
    expect((lines[0].err as { stack: string }).stack).toContain('Error: boom');
  });

  it('maps Nest levels to pino levels', () => {
    const { lines, logger } = capture();
    logger.log('hello', 'Bootstrap');
    logger.warn('careful');
    expect(lines.map((l) => l.level)).toEqual([30, 40]);
    expect(lines[0]).toMatchObject({ context: 'Bootstrap', msg: 'hello' });
  });
});
