import { AppConfig } from './app-config';
import { InvalidEnvironmentError } from './env';

const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://u@db.example/ipb',
  HASHIDS_PUBLIC_SALT: 'p',
  HASHIDS_SECRET_SALT: 's',
  PUBLIC_URL: 'http://www.ipythonblocks.org',
};

describe('AppConfig in production', () => {
  it('boots with DATABASE_URL, both salts and PUBLIC_URL', () => {
    expect(AppConfig.fromEnv(production).publicUrl).toBe('http://www.ipythonblocks.org');
  });

  it.each([undefined, ''])('refuses to boot without PUBLIC_URL (%p), naming it', (value) => {
    const boot = () => AppConfig.fromEnv({ ...production, PUBLIC_URL: value });
    expect(boot).toThrow(InvalidEnvironmentError);
    expect(boot).toThrow(/PUBLIC_URL is required when NODE_ENV=production/);
  });

  it('refuses a PUBLIC_URL that is not an http(s) origin, naming it', () => {
    const boot = () => AppConfig.fromEnv({ ...production, PUBLIC_URL: 'javascript://x' });
    expect(boot).toThrow(/PUBLIC_URL/);
  });
});

describe('DATABASE_STATEMENT_TIMEOUT_MS', () => {
  it('is 8 s unless set', () => {
    expect(AppConfig.fromEnv(production).databaseStatementTimeoutMs).toBe(8000);
    const set = AppConfig.fromEnv({ ...production, DATABASE_STATEMENT_TIMEOUT_MS: '2500' });
    expect(set.databaseStatementTimeoutMs).toBe(2500);
  });

  it.each(['50', '120000', 'soon'])('refuses %p, naming it', (value) => {
    expect(() =>
      AppConfig.fromEnv({ ...production, DATABASE_STATEMENT_TIMEOUT_MS: value }),
    ).toThrow(/DATABASE_STATEMENT_TIMEOUT_MS/);
  });
});

describe('REPORT_URL', () => {
  it('is unset unless given; takes an http(s) URL or a mailto: address', () => {
    expect(AppConfig.fromEnv(production).reportUrl).toBeUndefined();
    for (const url of [
      'https://example.org/report',
      'http://localhost:8080/contact?topic=grid',
      'mailto:abuse@example.org',
      'mailto:abuse@example.org?subject=Grid',
    ]) {
      expect(AppConfig.fromEnv({ ...production, REPORT_URL: url }).reportUrl).toBe(url);
    }
  });

  it.each([
    'javascript:alert(1)',
    'mailto:',
    'mailto:nobody',
    'example.org/report',
    'ftp://x.org/',
  ])('refuses %p, naming it', (value) => {
    expect(() => AppConfig.fromEnv({ ...production, REPORT_URL: value })).toThrow(
      /REPORT_URL must be an http\(s\) URL or a mailto: address/,
    );
  });
});

describe('DATABASE_CONNECTION_POOL_URL', () => {
  it('sends the queries through the pooler and keeps the direct URL for sessions', () => {
    const pool = 'postgres://u@pooler.example:5432/ipb';
    const { database } = AppConfig.fromEnv({ ...production, DATABASE_CONNECTION_POOL_URL: pool });
    expect(database).toMatchObject({ kind: 'server', url: production.DATABASE_URL, poolUrl: pool });
  });

  it('refuses to boot without DATABASE_URL beside it, saying why', () => {
    const boot = () =>
      AppConfig.fromEnv({
        ...production,
        DATABASE_URL: undefined,
        DATABASE_CONNECTION_POOL_URL: 'postgres://u@pooler.example/ipb',
      });
    expect(boot).toThrow(InvalidEnvironmentError);
    expect(boot).toThrow(/DATABASE_CONNECTION_POOL_URL is set without DATABASE_URL/);
  });

  it('refuses one that is not a postgres:// URL, naming it but not showing it', () => {
    const boot = () =>
      AppConfig.fromEnv({ ...production, DATABASE_CONNECTION_POOL_URL: 'mysql://u:pw@x/y' });
    expect(boot).toThrow(/DATABASE_CONNECTION_POOL_URL must be a postgres:\/\/ URL/);
    expect(boot).not.toThrow(/pw/);
  });
});
