// Structured JSON logs. Every path that could carry a secret is censored here, as a second
// line of defence behind the rule that secrets are never handed to the logger at all.
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'credentials',
  '*.credentials',
  'password',
  '*.password',
  'token',
  '*.token',
  'secret',
  '*.secret',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'integration-hub' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactPaths, censor: '[redacted]' },
      serializers: { err: serializeError },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/**
 * pino's error serializer, without the database client pg-pool hangs on the errors of its idle
 * connections: that object (sockets, settings, type parsers) is kilobytes of noise per line.
 */
function serializeError(error: Error): unknown {
  const serialized: unknown = pino.stdSerializers.err(error);
  if (serialized && typeof serialized === 'object') delete (serialized as { client?: unknown }).client;
  return serialized;
}
