import pino, { type Logger } from 'pino';

/**
 * Logs on stdout, API keys and authorization headers never written: JSON for
 * log collectors, or readable lines when stdout is a terminal (a person reading), coloured unless `colour` is false (NO_COLOR).
 */
export function createLogger(level: string, readable: boolean = Boolean(process.stdout.isTTY), fields: Record<string, unknown> = {}, colour = true): Logger {
  const options = {
    level,
    // A cluster's processes say which they are: `worker` 1…n, or `primary`.
    base: { service: 'stedi-lakehouse', ...fields },
    redact: { paths: ['req.headers.authorization', 'headers.authorization', 'apiKey', '*.apiKey'], censor: '[redacted]' },
  };
  // Through process.stdout (synchronous for files and pipes on Linux): pino's default stream writes later, so a
  // start-up line could land after what the CLI prints next (the keys box of `stedi start`).
  if (!readable) return pino(options, process.stdout);
  // Loaded only for a terminal: a server logging JSON (each cluster worker) does not hold the pretty-printer.
  const pretty = require('pino-pretty') as typeof import('pino-pretty');
  // Through process.stdout (synchronous on a terminal), so start-up lines come before what the CLI prints next.
  return pino(options, pretty({ destination: process.stdout, colorize: colour && Boolean(process.stdout.isTTY), ignore: 'pid,hostname,service', translateTime: 'SYS:HH:MM:ss.l' }));
}

export type { Logger };
