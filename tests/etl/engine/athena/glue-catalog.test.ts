import { BatchDeleteTableVersionCommand, GetTableVersionsCommand, GlueServiceException } from '@aws-sdk/client-glue';
import { GlueCatalog } from '../../../../etl/engine/athena/glue-catalog';
import { EngineUnavailableError } from '../../../../etl/engine/engine-errors';
import { FakeGlue } from '../../../helpers/fake-aws';

/** Glue failing on its side after the SDK's retries (HTTP 500). */
const glueFault = (): Error =>
  new GlueServiceException({ name: 'InternalServiceException', message: 'Internal service error', $fault: 'server', $metadata: { httpStatusCode: 500, requestId: 'glue-request-1' } });

const ON_AWS_SIDE = "Glue answered InternalServiceException, a failure on AWS's side (HTTP 500, request id glue-request-1), not in the request, the lake or the set-up: retry in a few minutes";

describe('pruning the live views’ Glue versions', () => {
  it('keeps only the current version of a table', async () => {
    const glue = new FakeGlue();
    glue.versions.set('customer_trusted', ['1', '2', '10']);
    await expect(new GlueCatalog(glue.client, 'stedi', 1_000).pruneTableVersions('customer_trusted')).resolves.toBe(2);
    expect(glue.versions.get('customer_trusted')).toEqual(['10']);
  });

  it('says Glue failed on its side, its error and request id, and to retry, when listing the versions answers HTTP 500', async () => {
    const glue = new FakeGlue();
    glue.mock.on(GetTableVersionsCommand).rejects(glueFault());
    const pruned = new GlueCatalog(glue.client, 'stedi', 1_000).pruneTableVersions('customer_trusted');
    await expect(pruned).rejects.toBeInstanceOf(EngineUnavailableError);
    await expect(pruned).rejects.toThrow(`cannot list the Glue versions of stedi.customer_trusted: ${ON_AWS_SIDE}`);
  });

  it('says Glue failed on its side when deleting old versions answers HTTP 500, and deletes nothing', async () => {
    const glue = new FakeGlue();
    glue.versions.set('customer_trusted', ['1', '2']);
    glue.mock.on(BatchDeleteTableVersionCommand).rejects(glueFault());
    const pruned = new GlueCatalog(glue.client, 'stedi', 1_000).pruneTableVersions('customer_trusted');
    await expect(pruned).rejects.toBeInstanceOf(EngineUnavailableError);
    await expect(pruned).rejects.toThrow(`cannot delete old Glue versions of stedi.customer_trusted: ${ON_AWS_SIDE}`);
    expect(glue.versions.get('customer_trusted')).toEqual(['1', '2']);
  });

  it('says the next successful build deletes them when Glue refuses some old versions of a batch', async () => {
    const glue = new FakeGlue();
    glue.versions.set('customer_trusted', ['1', '2', '3']);
    glue.mock.on(BatchDeleteTableVersionCommand).resolves({ Errors: [{ TableName: 'customer_trusted', VersionId: '1', ErrorDetail: { ErrorCode: 'InternalServiceException', ErrorMessage: 'Internal service error' } }] });
    await expect(new GlueCatalog(glue.client, 'stedi', 1_000).pruneTableVersions('customer_trusted')).rejects.toThrow(
      'could not delete 1 Glue versions of stedi.customer_trusted (first: 1: Internal service error); they are only old versions, and the next successful build deletes them',
    );
  });

  it('passes a refusal that is not AWS’s fault on as it is', async () => {
    const glue = new FakeGlue();
    const denied = new GlueServiceException({ name: 'AccessDeniedException', message: 'not authorized', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    glue.mock.on(GetTableVersionsCommand).rejects(denied);
    await expect(new GlueCatalog(glue.client, 'stedi', 1_000).pruneTableVersions('customer_trusted')).rejects.toBe(denied);
  });
});
