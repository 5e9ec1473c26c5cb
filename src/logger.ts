import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Paths that pino replaces with "[redacted]" on every line: credentials, session material and
 * personal data, wherever a request, a body or an error carries them.
 */
export const REDACTED_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'req.headers["x-auth-token"]',
  'res.headers["set-cookie"]',
  'headers.cookie',
  'headers.authorization',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.token',
  '*.csrfToken',
  '*.phone',
  '*.email',
  'body.password',
  'body.phone',
  'body.email',
  'body.contacts[*].phone',
  'body.contacts[*].email',
  'password',
  'token',
  'phone',
  'email',
];

/** Creates the application logger: JSON lines, English messages, secrets and personal data redacted. */
export function createLogger(options: { level: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'tenant-portal' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
    },
    options.destination,
  );
}
