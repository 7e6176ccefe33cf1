import type { Visibility } from '../grid-storage/grid-data';

/** A grid named by what its URL holds: `<hashId>` or `secret/<hashId>`. */
export interface RemixRef {
  visibility: Visibility;
  hashId: string;
}

/**
 * What a hashid can look like: the legacy alphabet is letters and digits, and GridIds refuses
 * anything longer than 32 characters. Looking right is not existing: that is the database's say.
 */
const HASH_ID = /^[A-Za-z0-9]{1,32}$/;
/** `remix_of` in a post: `<hashId>` or `secret/<hashId>`. */
export const REMIX_OF_PATTERN = /^(secret\/)?([A-Za-z0-9]{1,32})$/;

/** `remix_of` as a post sends it, or null when it is not `<hashId>` or `secret/<hashId>`. */
export function parseRemixOf(value: string): RemixRef | null {
  const match = REMIX_OF_PATTERN.exec(value);
  if (!match) return null;
  return { visibility: match[1] ? 'secret' : 'public', hashId: match[2] };
}

/**
 * The grid the code cells remix: the first `BlockGrid.from_web(...)` or `ImageGrid.from_web(...)`
 * call, in cell order, whose arguments say which grid without running anything (the id a string
 * literal, `secret` absent or a literal). Read from Python's tokens, so a call in a comment or a
 * string is not one, and a call on a variable id (`from_web(grid_id)`) is passed over for the
 * next. Linear in the code's length: a post's cells are up to 100,000 characters.
 */
export function remixRefInCode(codeCells: readonly string[] | null): RemixRef | null {
  for (const cell of codeCells ?? []) {
    // Most cells call no from_web at all: they are not tokenized.
    if (!cell.includes('from_web')) continue;
    const found = firstReadableCall(tokenize(cell));
    if (found) return found;
  }
  return null;
}

type Token =
  | { kind: 'name'; text: string }
  /** `value` is null for what cannot be a grid id as written: bytes, f-strings, escapes. */
  | { kind: 'string'; value: string | null }
  | { kind: 'number'; text: string }
  | { kind: 'op'; text: string };

/** Each class's `from_web` parameters, in order (the library's signatures). */
const FROM_WEB_PARAMETERS: Record<string, readonly string[]> = {
  BlockGrid: ['grid_id', 'secret'],
  ImageGrid: ['grid_id', 'secret', 'origin'],
};

function firstReadableCall(tokens: Token[]): RemixRef | null {
  for (let i = 2; i + 1 < tokens.length; i++) {
    const name = tokens[i];
    if (name.kind !== 'name' || name.text !== 'from_web') continue;
    const cls = tokens[i - 2];
    if (!isOp(tokens[i - 1], '.') || cls.kind !== 'name' || !isOp(tokens[i + 1], '(')) continue;
    const parameters = FROM_WEB_PARAMETERS[cls.text];
    if (!parameters) continue;
    const args = callArguments(tokens, i + 2);
    const ref = args && refOf(args, parameters);
    if (ref) return ref;
  }
  return null;
}

const isOp = (token: Token | undefined, text: string) =>
  token?.kind === 'op' && token.text === text;

/** The arguments of the call whose `(` is just before `from`, or null when it never closes. */
function callArguments(tokens: Token[], from: number): Token[][] | null {
  const args: Token[][] = [[]];
  let depth = 0;
  for (let i = from; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.kind === 'op') {
      if (depth === 0 && token.text === ')') {
        // `f(a, b,)`: a trailing comma adds no argument.
        if (args[args.length - 1].length === 0) args.pop();
        return args;
      }
      if (depth === 0 && token.text === ',') {
        args.push([]);
        continue;
      }
      if ('([{'.includes(token.text)) depth++;
      else if (')]}'.includes(token.text)) depth--;
    }
    args[args.length - 1].push(token);
  }
  return null;
}

/** The grid the arguments name, or null when they do not say it plainly. */
function refOf(args: Token[][], parameters: readonly string[]): RemixRef | null {
  const bound = new Map<string, Token[]>();
  let positional = 0;
  for (const arg of args) {
    const [first, second] = arg;
    const keyword = first?.kind === 'name' && isOp(second, '=') && arg.length > 2;
    const parameter = keyword ? first.text : parameters[positional++];
    // What Python would refuse with a TypeError is no remix of anything.
    if (parameter === undefined || !parameters.includes(parameter) || bound.has(parameter)) {
      return null;
    }
    bound.set(parameter, keyword ? arg.slice(2) : arg);
  }
  const id = bound.get('grid_id');
  if (id?.length !== 1 || id[0].kind !== 'string' || id[0].value === null) return null;
  if (!HASH_ID.test(id[0].value)) return null;
  const secret = literalTruth(bound.get('secret'));
  if (secret === null) return null;
  return { visibility: secret ? 'secret' : 'public', hashId: id[0].value };
}

/** `secret` as the call gives it: absent is False; a name or number literal; else unknown. */
function literalTruth(tokens: Token[] | undefined): boolean | null {
  if (tokens === undefined) return false;
  if (tokens.length !== 1) return null;
  const [token] = tokens;
  if (token.kind === 'name') {
    if (token.text === 'True') return true;
    if (token.text === 'False' || token.text === 'None') return false;
    return null;
  }
  if (token.kind === 'number' && /^\d+$/.test(token.text)) return Number(token.text) !== 0;
  return null;
}

const NAME_START = /[\p{L}_]/u;
const NAME_PART = /[\p{L}\p{N}_]*/uy;
const NUMBER_PART = /[0-9A-Za-z_.]*/y;
const STRING_PREFIX = /^(?:[rRuUbBfF]|[rR][bBfF]|[bBfF][rR])$/;

/**
 * Enough of Python's tokenizer to find calls: names, numbers, strings (prefixes, triple quotes,
 * escapes), comments, and every other character as an operator of its own. Code that does not
 * tokenize (an unclosed string) is read on as Python would read the next line.
 */
function tokenize(code: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < code.length) {
    const c = code[i];
    if (c === '#') {
      const end = code.indexOf('\n', i);
      i = end < 0 ? code.length : end;
    } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\\' || c === '\f') {
      i++;
    } else if (c === '"' || c === "'") {
      i = readString(code, i, '', tokens);
    } else if (NAME_START.test(c)) {
      NAME_PART.lastIndex = i + 1;
      NAME_PART.test(code);
      const text = code.slice(i, NAME_PART.lastIndex);
      i = NAME_PART.lastIndex;
      const next = code[i];
      if ((next === '"' || next === "'") && STRING_PREFIX.test(text)) {
        i = readString(code, i, text.toLowerCase(), tokens);
      } else {
        tokens.push({ kind: 'name', text });
      }
    } else if (c >= '0' && c <= '9') {
      NUMBER_PART.lastIndex = i + 1;
      NUMBER_PART.test(code);
      tokens.push({ kind: 'number', text: code.slice(i, NUMBER_PART.lastIndex) });
      i = NUMBER_PART.lastIndex;
    } else {
      tokens.push({ kind: 'op', text: c });
      i++;
    }
  }
  return tokens;
}

/** Reads the string literal whose quote is at `at`; answers where the code goes on. */
function readString(code: string, at: number, prefix: string, tokens: Token[]): number {
  const quote = code[at];
  const triple = code.startsWith(quote.repeat(3), at);
  const close = triple ? quote.repeat(3) : quote;
  let i = at + close.length;
  const start = i;
  let end = -1;
  while (i < code.length) {
    const c = code[i];
    if (c === '\\') {
      i += 2;
    } else if (code.startsWith(close, i)) {
      end = i;
      break;
    } else if (c === '\n' && !triple) {
      // Unterminated: Python stops at the line's end, and so does this.
      break;
    } else {
      i++;
    }
  }
  const body = code.slice(start, end < 0 ? i : end);
  const plain = !prefix.includes('b') && !(prefix.includes('f') && body.includes('{'));
  tokens.push({ kind: 'string', value: plain && end >= 0 && !body.includes('\\') ? body : null });
  return end < 0 ? i : end + close.length;
}
