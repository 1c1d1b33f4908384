import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { codeExtensions, ErrorCode } from '../errors';
import { clientError, firstTime, MESSAGES } from '../graphql/error-mapping';
import { withArgumentHint } from './argument-hints';
import { currentRequest, noteErrorCode, refusalLogged } from './request-context';

/**
 * Apollo's formatError: a caller-facing error keeps its message and code (and
 * nothing else from `extensions`) and is logged at info, as the caller's to
 * fix; anything else is logged in full with the request id and answered as a
 * bare INTERNAL_SERVER_ERROR, so SQL, file paths and stacks never reach the client.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const { locations, path } = formatted;
  const request = currentRequest();
  // Apollo's own request errors (parse, validation, variables) arrive with their code already set.
  const safe = clientError(original) ?? clientError(error);
  if (safe) {
    noteErrorCode(request, safe.code);
    // One line per error, not per place it was raised (a refused field of a 10,000-row page is one error).
    if (firstTime(original) && request && refusalLogged(request)) request.log.info({ code: safe.code, path: pathAsLogged(path), message: withoutClientValues(safe.message) }, 'request refused or field failed for the caller');
    return { message: withShortValues(withArgumentHint(safe.message)), locations, path, extensions: codeExtensions(safe.code, safe.reason) };
  }
  noteErrorCode(request, ErrorCode.INTERNAL_SERVER_ERROR);
  request?.log.error({ err: original, path: pathAsLogged(path) }, 'internal error in a GraphQL request');
  return { message: MESSAGES.internal(request?.requestId), locations, path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
}

/**
 * A caller-facing message as it may be logged: the values it quotes (what the client sent: an
 * argument, a variable, perhaps an email) become "…"; variable names ("$n") stay. Logs never hold
 * request text, and an error message is a way in for it.
 */
export function withoutClientValues(message: string): string {
  // graphql-js writes a refused variable's object keys unquoted and its field names unescaped (`{ a@b.com: 1 }; Field
  // "a"@b.com" is not defined`): a key, an email or a megabyte, was logged as sent. Nothing after its name is kept.
  const variable = INVALID_VARIABLE.exec(message);
  if (variable) return `${shortVariableNames(variable[0])}…`;
  const unquoted = message.replace(/"(?:[^"\\]|\\.)*"/g, (quoted) => (/^"\$[_A-Za-z][_0-9A-Za-z]*"$/.test(quoted) ? shortVariableNames(quoted) : '"…"'));
  // What graphql-js writes unquoted (a number literal, an object literal's field names) is cut as in the answer.
  return shortRuns(unquoted);
}

/** Variable names cut to their start: a name is the client's text, and one of 400,000 characters made a 400 KB log line. */
const shortVariableNames = (text: string): string => text.replace(/"\$([_0-9A-Za-z]{40})[_0-9A-Za-z]{25,}"/g, '"$$$1…"');

const INVALID_VARIABLE = /^Variable "\$[_A-Za-z][_0-9A-Za-z]*" got invalid value /;
const LONG_VALUE = 200;
const LONG_MESSAGE = 1_000;

/**
 * A caller-facing message with each value it quotes back cut to its start: graphql-js repeats a wrong variable's
 * value whole, twice (a 900 KB string came back as a 1.8 MB answer).
 */
export function withShortValues(message: string): string {
  if (message.length <= LONG_VALUE) return message;
  const short = shortRuns(message.replace(/"((?:[^"\\]|\\.)*)"/g, (quoted, text: string) => (text.length > LONG_VALUE ? `"${text.slice(0, 40)}…" (${text.length} characters)` : quoted)));
  const variable = INVALID_VARIABLE.exec(short);
  return variable && short.length > LONG_MESSAGE ? shortInvalidValue(short, variable[0]) : short;
}

/** An error's path as logged: its names are the client's aliases, each cut to its start when long, as its message's values. */
const pathAsLogged = (path: GraphQLFormattedError['path']): GraphQLFormattedError['path'] =>
  path?.map((key) => (typeof key === 'string' && key.length > LONG_VALUE ? `${key.slice(0, 40)}… (${key.length} characters)` : key));

/** Runs of text without spaces or quotes over LONG_VALUE characters (an unquoted literal), cut to their start. */
const shortRuns = (text: string): string => text.replace(new RegExp(`[^\\s"]{${LONG_VALUE + 1},}`, 'g'), (run) => `${run.slice(0, 40)}… (${run.length} characters)`);

/** An invalid variable's value as graphql-js writes it, an object's keys unquoted and spaced (60,000 keys: 900 KB), cut to its start; the reason after it kept when short. */
function shortInvalidValue(message: string, prefix: string): string {
  const rest = message.slice(prefix.length);
  const at = rest.lastIndexOf('; ');
  const reason = at >= 0 && rest.length - at <= LONG_VALUE ? rest.slice(at) : '';
  const value = reason ? rest.slice(0, at) : rest;
  return `${prefix}${value.slice(0, 40)}… (${value.length} characters)${reason}`;
}

/** The message and code for a non-GraphQL route (export), with the same rules. */
export function httpErrorOf(error: unknown): { code: string; message: string; reason?: string; internal: boolean } {
  const safe = clientError(error);
  if (safe) return { ...safe, internal: false };
  return { code: ErrorCode.INTERNAL_SERVER_ERROR, message: MESSAGES.internal(currentRequest()?.requestId), internal: true };
}
