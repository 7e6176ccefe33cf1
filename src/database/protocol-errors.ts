/** An ErrorResponse the embedded Postgres sent, as the wire protocol carries it. */
export interface ProtocolError {
  severity: string;
  code: string;
  message: string;
}

const ERROR_RESPONSE = 0x45; // 'E'
const HEADER_BYTES = 5; // type byte + int32 length (which counts itself)

/**
 * Reads the Postgres backend messages of one answer, in the chunks they arrive in, and keeps
 * the ErrorResponses. Everything else (rows, completions) is skipped by its length.
 */
export class ErrorResponseScanner {
  readonly errors: ProtocolError[] = [];
  private header = Buffer.alloc(0);
  private skipping = 0;
  private errorBody?: Buffer;
  private errorFilled = 0;

  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.skipping > 0) {
        const n = Math.min(this.skipping, chunk.length - at);
        this.skipping -= n;
        at += n;
      } else if (this.errorBody) {
        const n = Math.min(this.errorBody.length - this.errorFilled, chunk.length - at);
        this.errorBody.set(chunk.subarray(at, at + n), this.errorFilled);
        this.errorFilled += n;
        at += n;
        if (this.errorFilled === this.errorBody.length) {
          this.errors.push(parseErrorFields(this.errorBody));
          this.errorBody = undefined;
        }
      } else {
        const n = Math.min(HEADER_BYTES - this.header.length, chunk.length - at);
        this.header = Buffer.concat([this.header, chunk.subarray(at, at + n)]);
        at += n;
        if (this.header.length === HEADER_BYTES) {
          const bodyBytes = Math.max(0, this.header.readInt32BE(1) - 4);
          if (this.header[0] === ERROR_RESPONSE && bodyBytes === 0) {
            this.errors.push(parseErrorFields(Buffer.alloc(0)));
          } else if (this.header[0] === ERROR_RESPONSE) {
            this.errorBody = Buffer.alloc(bodyBytes);
            this.errorFilled = 0;
          } else {
            this.skipping = bodyBytes;
          }
          this.header = Buffer.alloc(0);
        }
      }
    }
  }
}

/** Fields are a type byte and a NUL-terminated string each, ended by a NUL. */
function parseErrorFields(body: Buffer): ProtocolError {
  const fields = new Map<string, string>();
  let at = 0;
  while (at < body.length && body[at] !== 0) {
    const type = String.fromCharCode(body[at]);
    const end = body.indexOf(0, at + 1);
    const stop = end === -1 ? body.length : end;
    fields.set(type, body.toString('utf8', at + 1, stop));
    at = stop + 1;
  }
  return {
    // 'V' is the severity never translated; 'S' may be localised.
    severity: fields.get('V') ?? fields.get('S') ?? '',
    code: fields.get('C') ?? '',
    message: fields.get('M') ?? '',
  };
}
