import { getMetadataStorage } from 'class-validator';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '../../src/config/app-config';
import { EnvVars } from '../../src/config/env';

/** app.json is what Heroku's Button and review apps read: it must describe the real config. */
interface AppJson {
  name: string;
  formation: Record<string, { quantity: number; size: string }>;
  addons: { plan: string; as?: string }[];
  env: Record<
    string,
    { description: string; required?: boolean; value?: string; generator?: string }
  >;
  buildpacks: { url: string }[];
}

const root = join(__dirname, '..', '..');
const appJson = JSON.parse(readFileSync(join(root, 'app.json'), 'utf8')) as AppJson;

function envVarNames(): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(EnvVars, '', true, false);
  return [...new Set(metadata.map((m) => m.propertyName))].sort();
}

describe('app.json (Heroku Button, review apps)', () => {
  it('names every variable the config validator knows, and no other, each with a description', () => {
    expect(envVarNames().length).toBeGreaterThan(20);
    expect(Object.keys(appJson.env).sort()).toEqual(envVarNames());
    for (const [name, variable] of Object.entries(appJson.env)) {
      expect({ name, described: variable.description.length > 10 }).toEqual({
        name,
        described: true,
      });
    }
  });

  it('asks for what production requires, and generates or sets the rest', () => {
    const required = Object.entries(appJson.env)
      .filter(([, v]) => v.required)
      .map(([name]) => name)
      .sort();
    expect(required).toEqual([
      'HASHIDS_PUBLIC_SALT',
      'HASHIDS_SECRET_SALT',
      'NODE_ENV',
      'PUBLIC_URL',
    ]);
    expect(appJson.env.NODE_ENV.value).toBe('production');
    expect(appJson.env.HASHIDS_PUBLIC_SALT.generator).toBe('secret');
    expect(appJson.env.HASHIDS_SECRET_SALT.generator).toBe('secret');
  });

  it('describes an app that boots: the values it sets, plus the add-on URL, pass the validator', () => {
    const env: NodeJS.ProcessEnv = {
      NODE_ENV: appJson.env.NODE_ENV.value,
      PUBLIC_URL: 'https://example-app.herokuapp.com',
      HASHIDS_PUBLIC_SALT: 'generated-one',
      HASHIDS_SECRET_SALT: 'generated-two',
      DATABASE_URL: 'postgres://u:p@db.example.com:5432/d',
      PORT: '5000',
    };
    expect(() => AppConfig.fromEnv(env)).not.toThrow();
    // Without the Postgres add-on a production start is refused: it must be in app.json.
    expect(appJson.addons.map((a) => a.plan.split(':')[0])).toContain('heroku-postgresql');
  });

  it('runs one web process and the release phase the Procfile names', () => {
    expect(appJson.formation.web.quantity).toBeGreaterThanOrEqual(1);
    expect(appJson.buildpacks.map((b) => b.url)).toContain('heroku/nodejs');
    const procfile = readFileSync(join(root, 'Procfile'), 'utf8');
    expect(procfile).toMatch(/^release: npm run migration:run$/m);
    expect(procfile).toMatch(/^web: node .*dist\/main\.js$/m);
  });
});
