import pino, { type Logger } from 'pino';

/** Structured JSON logs on stdout; API keys and authorization headers are never written. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'stedi-lakehouse' },
    redact: { paths: ['req.headers.authorization', 'headers.authorization', 'apiKey', '*.apiKey'], censor: '[redacted]' },
  });
}

export type { Logger };
