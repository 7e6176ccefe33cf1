import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags, type SchemaObject } from '@nestjs/swagger';

/** The OpenAPI document's part for `GET /health` (see src/grid-api/api-docs.ts). */

const UP = { status: 'up' } as const;

const EXAMPLE_HEALTH_UP = {
  status: 'ok',
  info: { database: UP, schema: UP, storage: UP, process: UP },
  error: {},
  details: { database: UP, schema: UP, storage: UP, process: UP },
};

const DATABASE_DOWN = { status: 'down', message: 'too many connections' } as const;

/** A database that cannot be asked leaves the schema unreported. */
const EXAMPLE_HEALTH_DOWN = {
  statusCode: 503,
  status: 'error',
  info: { storage: UP, process: UP },
  error: { database: DATABASE_DOWN },
  details: { database: DATABASE_DOWN, storage: UP, process: UP },
};

const HEALTH_INDICATORS: SchemaObject = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    properties: {
      status: { type: 'string', enum: ['up', 'down'] },
      message: { type: 'string', description: 'What is wrong, when it is down' },
    },
  },
};

const HEALTH_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['status'],
  properties: {
    statusCode: { type: 'integer', description: 'Only in the 503 answer' },
    status: {
      type: 'string',
      enum: ['ok', 'error', 'shutting_down'],
      description: '`shutting_down` once the process is draining after SIGTERM',
    },
    info: { ...HEALTH_INDICATORS, description: 'The indicators that are up' },
    error: { ...HEALTH_INDICATORS, description: 'The indicators that are down' },
    details: { ...HEALTH_INDICATORS, description: 'Every indicator' },
  },
};

/** The health controller's tag. */
export const ApiHealthTags = () => ApiTags('health');

/** `GET /health`: what it checks, and its two answers. */
export function ApiHealthCheck() {
  return applyDecorators(
    ApiOperation({
      summary: 'Health check for the platform',
      description:
        '200 when the database answers a `SELECT 1` within a second (time the event loop spent ' +
        'blocked does not count against it), every migration is applied to it, its storage has ' +
        'room to write, and the process is not shutting down; 503 otherwise, naming what is down.',
    }),
    // The schema/example form (not `content`): it replaces the schema @HealthCheck() documents.
    ApiResponse({
      status: 200,
      description: 'The app, its database and its storage are up',
      schema: HEALTH_SCHEMA,
      example: EXAMPLE_HEALTH_UP,
    }),
    ApiResponse({
      status: 503,
      description:
        'Something is down: `database` (it did not answer, or refused a connection: ' +
        '`too many connections`; the app recovers by itself when it is back; `schema` is not ' +
        'reported then), `schema` (migrations not applied: the message says how to apply them), ' +
        '`storage` (the disk is full: someone must free space) or `process` (shutting down, or ' +
        'failed and about to exit)',
      schema: HEALTH_SCHEMA,
      example: EXAMPLE_HEALTH_DOWN,
    }),
  );
}
