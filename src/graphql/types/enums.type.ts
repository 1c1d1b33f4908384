import 'reflect-metadata';
import { registerEnumType } from 'type-graphql';

/** GraphQL enums; their values are what the rest of the code uses. */
export enum SplitEnum {
  TRAIN = 'TRAIN',
  VALIDATION = 'VALIDATION',
  TEST = 'TEST',
}

export enum ConsentPolicyEnum {
  ANY = 'any',
  AS_OF = 'as-of',
}

export enum RebuildStateEnum {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}

export enum RebuildStepStateEnum {
  PENDING = 'PENDING',
  RUNNING = 'RUNNING',
  DONE = 'DONE',
  FAILED = 'FAILED',
}

registerEnumType(SplitEnum, {
  name: 'Split',
  description: 'Training splits assign whole customers by md5(splitSeed + ":" + serialNumber): TRAIN 80%, VALIDATION 10%, TEST 10% by default.',
  valuesConfig: {
    TRAIN: { description: 'Whole customers whose bucket (0 to 99) is below the TRAIN percentage (80 by default: buckets 0 to 79).' },
    VALIDATION: { description: 'Whole customers in the next VALIDATION percentage of buckets (80 to 89 by default).' },
    TEST: { description: 'Whole customers in the remaining buckets (90 to 99 by default).' },
  },
});
registerEnumType(ConsentPolicyEnum, {
  name: 'ConsentPolicy',
  description: 'How far consent reaches back.',
  valuesConfig: {
    ANY: { description: 'Every reading of a consenting customer.' },
    AS_OF: { description: 'Only readings taken at or after shareWithResearchAsOfDate.' },
  },
});
registerEnumType(RebuildStateEnum, {
  name: 'RebuildState',
  description: 'Where a rebuild job is.',
  valuesConfig: {
    QUEUED: { description: 'Accepted, not started yet.' },
    RUNNING: { description: 'Building; readers keep the live version.' },
    SUCCEEDED: { description: 'Published the version named in `version` (see `warning`).' },
    FAILED: { description: 'Stopped: `error` says why, the server log has the details.' },
  },
});
registerEnumType(RebuildStepStateEnum, {
  name: 'RebuildStepState',
  description: 'Where one step of a rebuild is.',
  valuesConfig: {
    PENDING: { description: 'Not started yet.' },
    RUNNING: { description: 'Running now.' },
    DONE: { description: 'Finished.' },
    FAILED: { description: "Was running when the build failed: it failed, or another step's failure stopped it." },
  },
});
