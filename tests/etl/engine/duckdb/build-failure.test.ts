import { explainBuildFailure } from '../../../../etl/engine/duckdb/build-failure';
import { LakeFilesystemError } from '../../../../etl/engine/engine-errors';
import { LandingReadError } from '../../../../etl/landing/landing-read-error';
import { makeTempDir } from '../../../helpers/landing-fixture';

const emfile = (): NodeJS.ErrnoException => Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });

describe('a failed build as its user is told it', () => {
  it('names the open-file limit, not the landing file, when reading a landing file ran out of open files', () => {
    const lake = makeTempDir();
    const explained = explainBuildFailure(new LandingReadError('/landing/step_trainer/landing/step_trainer-1.json', 0, emfile()), lake, undefined, undefined);
    expect(explained).toBeInstanceOf(LakeFilesystemError);
    expect((explained as Error).message).toBe(`this process reached its open-file limit (ulimit -n) while building ${lake}; raise it (ulimit -n 4096) before starting stedi`);
  });

  it('leaves a landing file refused for another reason as it was said', () => {
    const lake = makeTempDir();
    const refused = new LandingReadError('/landing/customer/landing/customer-1.json', 3, Object.assign(new Error('EACCES'), { code: 'EACCES' }));
    expect(explainBuildFailure(refused, lake, undefined, undefined)).toBe(refused);
  });
});
