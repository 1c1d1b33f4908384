import { ApolloServer, type BaseContext, HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { onePlugin, type RequestPlugin } from '../../src/http/one-plugin';

/** Request plugins run as one Apollo plugin (one-plugin.ts) behave as Apollo runs them as separate plugins. */

const typeDefs = 'type Query { hello: String }';
const resolvers = { Query: { hello: () => 'world' } };

async function answer(...plugins: Array<RequestPlugin<BaseContext>>) {
  const server = new ApolloServer({ typeDefs, resolvers, plugins: [onePlugin(...plugins)] });
  await server.start();
  try {
    const response = await server.executeOperation({ query: '{ hello }' });
    return response.body.kind === 'single' ? response.body.singleResult : undefined;
  } finally {
    await server.stop();
  }
}

describe('request plugins run as one Apollo plugin', () => {
  it('calls every plugin’s hook in order, synchronous or waiting, and answers after all', async () => {
    const ran: string[] = [];
    const result = await answer(
      { requestDidStart: () => ({ didResolveOperation: () => void ran.push('a resolved'), willSendResponse: () => void ran.push('a sends') }) },
      { requestDidStart: () => undefined },
      {
        requestDidStart: () => ({
          didResolveOperation: async () => {
            await new Promise((resolve) => setTimeout(resolve, 5));
            ran.push('b resolved');
          },
          willSendResponse: async () => void ran.push('b sends'),
        }),
      },
      { requestDidStart: () => ({ didResolveOperation: () => void ran.push('c resolved') }) },
    );
    expect(result?.data).toEqual({ hello: 'world' });
    expect(ran).toEqual(['a resolved', 'c resolved', 'b resolved', 'a sends', 'b sends']);
  });

  it('still calls the hooks after one that throws, and refuses with the first error', async () => {
    const ran: string[] = [];
    const refuse = (message: string) => () => {
      ran.push(message);
      throw new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
    };
    const result = await answer(
      { requestDidStart: () => ({ didResolveOperation: refuse('first') }) },
      { requestDidStart: () => ({ didResolveOperation: async () => void ran.push('waits') }) },
      { requestDidStart: () => ({ didResolveOperation: refuse('second'), willSendResponse: () => void ran.push('sends') }) },
    );
    expect(result?.data).toBeUndefined();
    expect(result?.errors?.map((e) => e.message)).toEqual(['first']);
    expect(ran).toEqual(['first', 'waits', 'second', 'sends']);
  });

  it('answers with the first plugin’s response for the operation that is not null', async () => {
    const response = (text: string) => async () => ({ body: { kind: 'single' as const, singleResult: { data: { hello: text } } }, http: { status: undefined, headers: new HeaderMap() } });
    const result = await answer(
      { requestDidStart: () => ({ responseForOperation: async () => null }) },
      { requestDidStart: () => ({ responseForOperation: response('kept') }) },
      { requestDidStart: () => ({ responseForOperation: response('never') }) },
    );
    expect(result?.data).toEqual({ hello: 'kept' });
  });
});
