import { EnvVars, validateEnv } from './env';

/** Every whole-number variable, with a value inside its range. */
const INTEGERS: Partial<Record<keyof EnvVars, string>> = {
  PORT: '8080',
  DATABASE_POOL_MAX: '5',
  DATABASE_CONNECT_TIMEOUT_MS: '2000',
  DATABASE_STATEMENT_TIMEOUT_MS: '3000',
  DATA_DIR_MIN_FREE_MB: '0',
  TRUST_PROXY_HOPS: '2',
  MAX_BODY_BYTES: '4096',
  MAX_BLOCKS: '100',
  MAX_BLOCK_SIZE: '50',
  MAX_CODE_CELLS: '0',
  MAX_CODE_CELL_CHARS: '10',
  MAX_CODE_CHARS: '10',
  GRID_CACHE_MB: '0',
  POST_RATE_LIMIT: '0',
  SHUTDOWN_TIMEOUT_MS: '1000',
};

function problem(env: NodeJS.ProcessEnv): string {
  try {
    validateEnv(env);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('the environment was accepted');
}

describe('whole-number environment variables', () => {
  it('PORT=abc: what PORT must be and the value given, once', () => {
    expect(problem({ PORT: 'abc' })).toBe(
      'Invalid environment configuration: PORT must be an integer from 0 to 65535 (got "abc")',
    );
  });

  it.each(Object.entries(INTEGERS))('%s=%p is taken as a number', (name, value) => {
    expect(validateEnv({ [name]: value })[name as keyof EnvVars]).toBe(Number(value));
  });

  it.each(
    Object.keys(INTEGERS).flatMap((name) => ['abc', '1.5', '-1', '1e3'].map((v) => [name, v])),
  )('%s=%p is refused in one sentence naming it, its range and the value', (name, value) => {
    const message = problem({ [name]: value });
    expect(message).toMatch(
      new RegExp(
        `^Invalid environment configuration: ${name} must be an integer (from \\d+ to \\d+|of \\d+ or more) \\(got "${value.replace('.', '\\.')}"\\)$`,
      ),
    );
  });

  it('refuses a value above the range', () => {
    expect(problem({ PORT: '70000' })).toBe(
      'Invalid environment configuration: PORT must be an integer from 0 to 65535 (got "70000")',
    );
  });

  it('names every bad variable on the one line', () => {
    expect(problem({ PORT: 'abc', MAX_BLOCKS: '0' })).toBe(
      'Invalid environment configuration: PORT must be an integer from 0 to 65535 (got "abc"); ' +
        'MAX_BLOCKS must be an integer of 1 or more (got "0")',
    );
  });
});
