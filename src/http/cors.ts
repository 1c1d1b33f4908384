import type { RequestHandler } from 'express';
import { requestLogOf } from './request-context';

/**
 * CORS for browser tools served from another origin (a notebook, a hosted
 * IDE): only origins listed in STEDI_CORS_ORIGINS get CORS headers, none by
 * default. A preflight is answered here, before authentication, since
 * browsers send it without the Authorization header. Keys travel in that
 * header, never in cookies, so credentials mode is not allowed.
 */
const ALLOWED_METHODS = 'GET, POST, OPTIONS';
// The method a listed origin's preflight asks for is allowed, whatever it is: a route that does not take it answers
// 405 naming the methods it takes (route-methods.ts), and a page can read that only if its browser sent the request.
// Refused at the preflight, a PUT or DELETE failed as a network error blaming CORS.
const METHOD = /^[!#$%&'*+.^_`|~0-9a-z-]{1,32}$/i;
const allowedMethods = (asked: string | undefined): string =>
  asked !== undefined && METHOD.test(asked) && !ALLOWED_METHODS.split(', ').includes(asked) ? `${ALLOWED_METHODS}, ${asked}` : ALLOWED_METHODS;
// A listed origin is allowed every header its preflight asks for, as the `cors` package does by default: what a page's
// own tooling adds is not known here (tracing: OpenTelemetry, Sentry, Datadog, New Relic; Cache-Control; its own ids),
// and each one missing from a fixed list made the browser refuse the whole request. The server reads none of them.
// An ask that is not a list of header names gets the headers the server reads.
const READ_HEADERS = 'authorization, content-type, x-request-id, apollo-require-preflight, x-apollo-operation-name';
const HEADER_NAMES = /^[!#$%&'*+.^_`|~0-9a-z-]+(?:[ \t]*,[ \t]*[!#$%&'*+.^_`|~0-9a-z-]+)*$/i;
const ASKED_HEADERS_CHARS = 4096;
const allowedHeaders = (asked: string | undefined): string =>
  asked !== undefined && asked.length <= ASKED_HEADERS_CHARS && HEADER_NAMES.test(asked.trim()) ? asked.trim() : READ_HEADERS;
// retry-after: a 429's wait (key-concurrency.ts), which no browser lets a page read unless exposed (it is not CORS-safelisted).
const EXPOSED_HEADERS = 'x-request-id, retry-after, x-row-count, x-lake-version, content-disposition';
const PREFLIGHT_CACHE_SECONDS = '600';
// Refused origins said in the log, each once: the Origin header is the client's, so a few, cut short.
const REFUSED_ORIGINS_SAID = 20;
const ORIGIN_CHARS_SAID = 200;

export function cors(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  const refusedSaid = new Set<string>();
  return (req, res, next) => {
    const origin = req.headers.origin;
    // Whether CORS headers are sent depends on Origin: caches must keep the answers apart.
    if (allowed.size > 0) res.vary('Origin');
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (origin && allowed.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
      if (preflight) {
        res.setHeader('Access-Control-Allow-Methods', allowedMethods(req.headers['access-control-request-method'] as string | undefined));
        res.setHeader('Access-Control-Allow-Headers', allowedHeaders(req.headers['access-control-request-headers']));
        res.setHeader('Access-Control-Max-Age', PREFLIGHT_CACHE_SECONDS);
      }
    }
    // A preflight from an origin not listed gets no CORS headers, so the browser refuses the real request; the
    // operator, who saw only a 204 in the log, is told which origin to list (a preflight is never same-origin).
    if (preflight && origin && !allowed.has(origin) && !refusedSaid.has(origin) && refusedSaid.size < REFUSED_ORIGINS_SAID) {
      refusedSaid.add(origin);
      requestLogOf(res).warn(
        { origin: origin.slice(0, ORIGIN_CHARS_SAID) },
        'a browser page on an origin not in STEDI_CORS_ORIGINS asked to call this server: the browser refuses its requests; add the origin to STEDI_CORS_ORIGINS if it should call the API',
      );
    }
    if (preflight) {
      res.status(204).end();
      return;
    }
    next();
  };
}
