import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import request from 'supertest';
import { oneLayer } from '../../src/http/one-layer';

/** Handlers run as one layer (one-layer.ts) behave as the router runs them as separate layers. */

const step =
  (name: string): RequestHandler =>
  (_req, res, next) => {
    res.locals.ran = [...((res.locals.ran as string[] | undefined) ?? []), name];
    next();
  };

function appWith(...handlers: RequestHandler[]): express.Express {
  const app = express();
  app.use(oneLayer(...handlers));
  app.use((_req, res) => void res.json({ ran: res.locals.ran ?? [], reached: 'next layer' }));
  const onError: ErrorRequestHandler = (error: Error, _req, res, _next) => void res.status(500).json({ ran: res.locals.ran ?? [], error: error.message });
  app.use(onError);
  return app;
}

describe('handlers run as one Express layer', () => {
  it('runs each handler in order, then the next layer', async () => {
    const res = await request(appWith(step('a'), step('b'), step('c'))).get('/');
    expect(res.body).toEqual({ ran: ['a', 'b', 'c'], reached: 'next layer' });
  });

  it('stops where a handler answers', async () => {
    const answer: RequestHandler = (_req, res) => void res.status(418).json({ ran: res.locals.ran });
    const res = await request(appWith(step('a'), answer, step('c'))).get('/');
    expect(res.status).toBe(418);
    expect(res.body).toEqual({ ran: ['a'] });
  });

  it('goes on when a handler calls next later (a pipelined request waiting its turn)', async () => {
    const later: RequestHandler = (_req, _res, next) => void setImmediate(next);
    const res = await request(appWith(step('a'), later, step('c'))).get('/');
    expect(res.body).toEqual({ ran: ['a', 'c'], reached: 'next layer' });
  });

  it.each([
    ['calls next(error)', ((_req, _res, next) => next(new Error('refused'))) as RequestHandler],
    ['throws', (() => {
      throw new Error('refused');
    }) as RequestHandler],
    ['returns a rejected promise', (async () => {
      throw new Error('refused');
    }) as RequestHandler],
  ])('skips the rest to the error handlers when a handler %s', async (_how, failing) => {
    const res = await request(appWith(step('a'), failing, step('c'))).get('/');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ ran: ['a'], error: 'refused' });
  });
});
