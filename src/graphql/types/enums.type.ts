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
});
registerEnumType(ConsentPolicyEnum, {
  name: 'ConsentPolicy',
  description: 'How far consent reaches back.',
  valuesConfig: {
    ANY: { description: 'Every reading of a consenting customer.' },
    AS_OF: { description: 'Only readings taken at or after shareWithResearchAsOfDate.' },
  },
});
registerEnumType(RebuildStateEnum, { name: 'RebuildState' });
registerEnumType(RebuildStepStateEnum, {
  name: 'RebuildStepState',
  valuesConfig: { FAILED: { description: "Was running when the build failed: it failed, or another step's failure stopped it." } },
});
