import { ErrorResponseScanner } from './protocol-errors';

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

function errorResponse(fields: Record<string, string>): Buffer {
  const parts = Object.entries(fields).map(([k, v]) => Buffer.from(`${k}${v}\0`, 'utf8'));
  return message('E', Buffer.concat([...parts, Buffer.from([0])]));
}

const dataRow = message('D', Buffer.alloc(300, 0x45)); // full of 'E' bytes: must be skipped
const ready = message('Z', Buffer.from('I'));
const diskFull = errorResponse({
  S: 'ERROR',
  V: 'ERROR',
  C: '53100',
  M: 'could not extend file "base/5/16390": No space left on device',
});

describe('ErrorResponseScanner', () => {
  it('finds the ErrorResponse among the other messages of an answer', () => {
    const scanner = new ErrorResponseScanner();
    scanner.push(Buffer.concat([dataRow, diskFull, ready]));
    expect(scanner.errors).toEqual([
      {
        severity: 'ERROR',
        code: '53100',
        message: 'could not extend file "base/5/16390": No space left on device',
      },
    ]);
  });

  it('reads messages split across chunks anywhere, even one byte at a time', () => {
    const answer = Buffer.concat([dataRow, diskFull, dataRow, ready]);
    const scanner = new ErrorResponseScanner();
    for (let i = 0; i < answer.length; i++) scanner.push(answer.subarray(i, i + 1));
    expect(scanner.errors.map((e) => e.code)).toEqual(['53100']);
  });

  it('finds nothing in an answer without errors', () => {
    const scanner = new ErrorResponseScanner();
    scanner.push(Buffer.concat([dataRow, ready]));
    expect(scanner.errors).toEqual([]);
  });
});
