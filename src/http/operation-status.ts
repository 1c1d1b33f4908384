import type { ApolloServerPlugin } from '@apollo/server';
import { type ErrorCode, HTTP_STATUS } from '../errors';

/**
 * An operation that answers no data at all (`data: null`: a non-null root
 * field failed) for one kind of error answers that error's HTTP status, as
 * /export does: REBUILD_IN_PROGRESS a 409 to retry, FORBIDDEN a 403. Apollo
 * answered 200 to every operation it ran, so a client or proxy going by status
 * took a refused rebuildZones for a success. An answer with data stays 200.
 */
export const operationStatusPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== 'single' || response.http.status !== undefined) return;
        const { data, errors } = response.body.singleResult;
        if (data !== null || !errors?.length) return;
        const codes = new Set(errors.map((error) => error.extensions?.code));
        const [code] = codes;
        if (codes.size === 1 && typeof code === 'string' && Object.hasOwn(HTTP_STATUS, code)) response.http.status = HTTP_STATUS[code as ErrorCode];
      },
    };
  },
};
