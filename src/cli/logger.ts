import { pino, type Logger } from 'pino';

/**
 * JSON logs on stderr (stdout stays free for --once/--health output). Redaction paths are a
 * second net only: nothing logs a deployment's params or a request's headers in the first place.
 * `isoTime`: "time" as an ISO 8601 string instead of epoch milliseconds.
 */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info', destination: pino.DestinationStream = pino.destination(2), opts: { isoTime?: boolean } = {}): Logger {
  return pino(
    {
      level,
      base: { service: 'llm-health-exporter' },
      ...(opts.isoTime ? { timestamp: pino.stdTimeFunctions.isoTime } : {}),
      serializers: {
        // The path only: a query string is caller input and may carry anything.
        req: (req: { method?: string; url?: string; ip?: string }) => ({ method: req.method, path: req.url?.split('?')[0], remote: req.ip }),
      },
      redact: {
        paths: ['req.headers.authorization', 'req.headers["x-litellm-api-key"]', '*.api_key', '*.master_key', '*.authorization'],
        censor: '[REDACTED]',
      },
    },
    destination,
  );
}
