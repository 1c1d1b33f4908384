import { LandingChangedError } from '../../etl/landing-changed-error';
import { failureMessage, lakeRelative } from '../../src/rebuild/failure-message';

const filesystemError = (message: string): Error => Object.assign(new Error(message), { name: 'LakeFilesystemError' });

describe('the error a failed rebuild reports', () => {
  it('writes the lake folder and every path inside it as <lake>, wherever they stand in the line', () => {
    const lake = '/srv/data/lake';
    expect(lakeRelative(`cannot write ${lake}/_stedi: permission denied; make the lake folder writable (chmod -R u+w ${lake}) or use another --lake`, lake)).toBe(
      'cannot write <lake>/_stedi: permission denied; make the lake folder writable (chmod -R u+w <lake>) or use another --lake',
    );
    expect(lakeRelative(`no space left on the device holding ${lake}/_quarantine/v=20240101T000000Z; free space there`, lake)).toBe('no space left on the device holding <lake>/_quarantine/v=20240101T000000Z; free space there');
  });

  it('points to the server log rather than show a path outside the lake, even one whose name starts like it', () => {
    for (const message of ['cannot make the folder /srv/data/lake2/x: /srv/data/lake2 is a file, not a folder', 'cannot write /var/tmp/spill: permission denied']) {
      expect(lakeRelative(message, '/srv/data/lake')).toBeNull();
      expect(failureMessage(filesystemError(message), 'job-1', '/srv/data/lake')).toBe('the build failed; the previous version stays live. The server log has the details (rebuild job job-1)');
    }
  });

  it('says a landing file kept changing while it was read: named when it is inside the lake, else pointing to the log', () => {
    const lake = '/srv/data/lake';
    // As it reaches the server from the rebuild process: its name and message only.
    const crossed = (error: Error): Error => Object.assign(new Error(error.message), { name: error.name });
    const inside = crossed(new LandingChangedError(`${lake}/customer/landing/customer-1.json`, 'appended to', 3));
    expect(failureMessage(inside, 'job-1', lake)).toMatch(/^landing file <lake>\/customer\/landing\/customer-1\.json was appended to while it was read, in each of 3 builds in a row; the previous version stays live\. /);
    const outside = crossed(new LandingChangedError('/srv/landing/customer/landing/customer-1.json', 'cut short', 3));
    expect(failureMessage(outside, 'job-2', lake)).toBe(
      'the build failed; the previous version stays live: a landing file kept changing while the build read it (a writer still at work); the server log names it (rebuild job job-2)',
    );
  });
});
