import * as cursor from '../../src/graphql/cursor';
import { toConnection } from '../../src/graphql/connection';
import { stepTrainerDataset } from '../../src/graphql/datasets/step-trainer.dataset';
import type { StepTrainerReading } from '../../src/graphql/types/step-trainer-reading.type';

// Its exports as plain properties, so jest.spyOn can replace them: swc compiles a module's exports to read-only getters.
jest.mock('../../src/graphql/cursor', () => ({ __esModule: true, ...jest.requireActual<object>('../../src/graphql/cursor') }));

/** A page's cursors are encoded only when read: small queries that select none pay for none. */
describe('a connection page', () => {
  const VERSION = '20261122t032200123z_a1b2';
  const node = (t: number) => ({ serialNumber: 's-1', sensorReadingTime: t, distanceFromObject: 100, version: VERSION }) as unknown as StepTrainerReading;
  const scope = { field: 'Customer.stepTrainerReadings', parent: 's-1', filter: [null, null, null] };

  it('encodes no cursor until one is read, and then the cursor of its own row', () => {
    const encode = jest.spyOn(cursor, 'encodeCursor');
    const page = toConnection(stepTrainerDataset, scope, [node(1), node(2), node(3)], 2, true, async () => 3, false, VERSION);
    expect(page.edges.map((e) => e.node.sensorReadingTime)).toEqual([1, 2]);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(encode).not.toHaveBeenCalled();
    const end = cursor.decodeCursor(page.pageInfo.endCursor!, 'StepTrainerReading', ['string', 'integer', 'integer'], scope);
    expect(end.position).toEqual(['s-1', 2, 100]);
    expect({ ...page.pageInfo }.startCursor).toBe(page.edges[0].cursor);
    encode.mockRestore();
  });
});
