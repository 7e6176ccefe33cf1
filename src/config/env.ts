import { plainToInstance } from 'class-transformer';
import {
  isEmail,
  isURL,
  IsBooleanString,
  IsIn,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MinLength,
  ValidateBy,
  validateSync,
} from 'class-validator';
import { StartupError } from '../common/startup-error';
import { IntegerEnv } from './integer-env';

/** An http(s) URL (a contact form) or a mailto: address, where people report a grid. */
function IsReportUrl() {
  return ValidateBy({
    name: 'isReportUrl',
    validator: {
      validate: (value: unknown) => {
        if (typeof value !== 'string') return false;
        const mailto = /^mailto:([^?]+)(\?.*)?$/i.exec(value);
        if (mailto) return isEmail(decodeURIComponent(mailto[1]));
        return isURL(value, {
          require_tld: false,
          require_protocol: true,
          protocols: ['http', 'https'],
        });
      },
      defaultMessage: () =>
        'REPORT_URL must be an http(s) URL or a mailto: address (e.g. mailto:abuse@example.org)',
    },
  });
}

/**
 * Every environment variable the service reads. Validated once at boot so a typo stops the
 * start with the variable's name instead of surfacing as a confusing runtime error.
 */
export class EnvVars {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV?: string;

  @IntegerEnv(0, 65535)
  PORT?: number;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, {
    message: 'DATABASE_CONNECTION_POOL_URL must be a postgres:// URL',
  })
  DATABASE_CONNECTION_POOL_URL?: string;

  @IsOptional()
  @IsIn(['true', 'false', 'no-verify'])
  DATABASE_SSL?: string;

  @IntegerEnv(1, 500)
  DATABASE_POOL_MAX?: number;

  @IntegerEnv(100)
  DATABASE_CONNECT_TIMEOUT_MS?: number;

  @IntegerEnv(100, 60_000)
  DATABASE_STATEMENT_TIMEOUT_MS?: number;

  @IsOptional()
  @IsString()
  @MinLength(1)
  DATA_DIR?: string;

  @IntegerEnv(0)
  DATA_DIR_MIN_FREE_MB?: number;

  @IsOptional()
  @IsString()
  @MinLength(1)
  HASHIDS_PUBLIC_SALT?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  HASHIDS_SECRET_SALT?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  PUBLIC_URL?: string;

  @IsOptional()
  @IsReportUrl()
  REPORT_URL?: string;

  @IsOptional()
  @Matches(/^\P{Cc}{1,100}$/u, {
    message: 'SITE_NAME must be 1 to 100 characters with no control characters',
  })
  SITE_NAME?: string;

  @IntegerEnv(0, 10)
  TRUST_PROXY_HOPS?: number;

  @IntegerEnv(1024)
  MAX_BODY_BYTES?: number;

  @IntegerEnv(1024)
  MAX_BUFFERED_BODY_BYTES?: number;

  @IntegerEnv(100, 600_000)
  BODY_IDLE_TIMEOUT_MS?: number;

  @IntegerEnv(1)
  MAX_BLOCKS?: number;

  @IntegerEnv(1)
  MAX_BLOCK_SIZE?: number;

  @IntegerEnv(0)
  MAX_CODE_CELLS?: number;

  @IntegerEnv(1)
  MAX_CODE_CELL_CHARS?: number;

  @IntegerEnv(1)
  MAX_CODE_CHARS?: number;

  @IsOptional()
  @IsBooleanString()
  REQUEST_LOG?: string;

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: string;

  @IsOptional()
  @IsIn(['json', 'pretty'])
  LOG_FORMAT?: string;

  @IntegerEnv(0, 4096)
  GRID_CACHE_MB?: number;

  @IntegerEnv(0)
  POST_RATE_LIMIT?: number;

  @IntegerEnv(1000, 600_000)
  SHUTDOWN_TIMEOUT_MS?: number;
}

export class InvalidEnvironmentError extends StartupError {}

export function validateEnv(env: NodeJS.ProcessEnv): EnvVars {
  // Empty strings are how Heroku and shells "unset" a var; treat them as absent.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = plainToInstance(EnvVars, present, {
    enableImplicitConversion: true,
    excludeExtraneousValues: false,
  });
  const errors = validateSync(parsed, { skipMissingProperties: false, whitelist: false });
  if (errors.length > 0) {
    // One line per problem, each saying what the variable must be and what it was given.
    const problems = errors.map((e) => {
      const shown =
        e.property.includes('SALT') || e.property.includes('URL')
          ? ''
          : ` (got ${JSON.stringify(present[e.property])})`;
      return `${Object.values(e.constraints ?? {}).join('; ')}${shown}`;
    });
    throw new InvalidEnvironmentError(`Invalid environment configuration: ${problems.join('; ')}`);
  }
  return parsed;
}
