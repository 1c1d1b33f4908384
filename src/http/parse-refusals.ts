import { ApolloServerErrorCode } from '@apollo/server/errors';
import type { RequestHandler } from 'express';
import { GraphQLError, Lexer, parse, Source, TokenKind } from 'graphql';
import { formatError } from './format-error';
import type { ServerMetrics } from './metrics';
import { plainAsked } from './plain-asked';

/**
 * A document over the token limit, answered before Apollo runs exactly as Apollo answers it: graphql-js's parse with
 * Apollo's options throws, and its error is written as Apollo writes a parse failure (400, GRAPHQL_PARSE_FAILED, the
 * message and location, our formatError, which logs it and notes its code; counted as a failed operation). Apollo's
 * way to that answer (a request context, every plugin's hooks, two errors, the second formatting the first's stack)
 * cost 0.2–0.5 ms of the main thread per refusal, of 1.5–2.5 ms, and a hostile client sends one after another.
 *
 * Only a document that cannot parse is tried: more tokens than the limit by graphql-js's own lexer, or one it cannot
 * lex. Anything else, and every request plainAsked does not take, goes on to Apollo unchanged.
 */
export function refuseUnparsable(
  parseOptions: { maxTokens: number },
  metrics: ServerMetrics,
  /** True once Apollo is stopped: it answers every request itself then. */
  stopped: () => boolean,
): RequestHandler {
  const { maxTokens } = parseOptions;
  return (req, res, next) => {
    const asked = plainAsked(req);
    // A document of at most maxTokens characters has at most maxTokens tokens: most documents stop here.
    if (!asked || asked.query.length <= maxTokens || stopped() || !mayHaveMoreTokens(asked.query, maxTokens) || !cannotParse(asked.query, maxTokens)) return next();
    const started = process.hrtime.bigint();
    let refusal: GraphQLError;
    try {
      parse(asked.query, parseOptions);
      return next(); // not expected: Apollo parses it again and answers
    } catch (error) {
      // Anything but graphql-js's own syntax error (a stack overflow) is Apollo's to word.
      if (!(error instanceof GraphQLError)) return next();
      refusal = error;
    }
    const code = ApolloServerErrorCode.GRAPHQL_PARSE_FAILED;
    // What Apollo hands formatError: its error's JSON, and the error, whose code says it is the caller's to fix.
    const formatted = formatError({ message: refusal.message, locations: refusal.locations, extensions: { code } }, new GraphQLError(refusal.message, { extensions: { code } }));
    metrics.countOperation(null, 'unknown', started, true);
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.status(400).send(`${JSON.stringify({ errors: [formatted] })}\n`);
  };
}

/** What the documents over the token limit sent so far are made of: nested selections, arguments, aliases. */
const PUNCTUATORS = ['{', '(', ':'];

/**
 * Whether `query` has enough of PUNCTUATORS (a quarter of the limit, in strings too) to be worth lexing: a 20 KB name
 * literal costs graphql-js's lexer 0.1–0.3 ms, and most documents over 1,000 characters are within the limit. A document
 * over it with fewer (names alone) goes to Apollo, which refuses it as before: this only decides what is tried first.
 */
function mayHaveMoreTokens(query: string, limit: number): boolean {
  let found = 0;
  for (const punctuator of PUNCTUATORS) {
    for (let at = query.indexOf(punctuator); at >= 0; at = query.indexOf(punctuator, at + 1)) if ((found += 1) > limit / 4) return true;
  }
  return false;
}

/** Whether graphql-js's lexer finds more than `maxTokens` tokens in `query`, or fails: its parse then fails for certain. */
function cannotParse(query: string, maxTokens: number): boolean {
  const lexer = new Lexer(new Source(query));
  try {
    for (let tokens = 0; lexer.advance().kind !== TokenKind.EOF; ) if (++tokens > maxTokens) return true;
    return false;
  } catch {
    return true;
  }
}
