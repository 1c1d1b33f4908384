import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import { S3Lake } from '../../../../etl/engine/athena/s3-lake';
import { FakeS3 } from '../../../helpers/fake-s3';

const PREFIX = 's3://example-bucket/stedi/accelerometer/trusted/v=1/';

describe('deleting a prefix of the S3 lake', () => {
  const refusing = (code: string, message: string): S3Lake => {
    const s3 = new FakeS3();
    s3.put(`${PREFIX}part-0.parquet`, 'x');
    s3.mock.on(DeleteObjectsCommand).callsFake((input) => ({ Errors: [{ Key: input.Delete?.Objects?.[0]?.Key, Code: code, Message: message }] }));
    return new S3Lake(s3.client, 5_000);
  };

  it('names the permission to grant when S3 refuses to delete the objects', async () => {
    await expect(refusing('AccessDenied', 'Access Denied').deletePrefix(PREFIX)).rejects.toThrow(
      `could not delete 1 objects under ${PREFIX} (first: stedi/accelerometer/trusted/v=1/part-0.parquet: AccessDenied Access Denied): grant s3:DeleteObject on ${PREFIX}*`,
    );
  });

  it('names no grant when S3 fails on its side', async () => {
    const error = await refusing('SlowDown', 'Please reduce your request rate.').deletePrefix(PREFIX).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/SlowDown Please reduce your request rate\.\)$/);
  });
});
