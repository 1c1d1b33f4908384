import { hasStediSample, STEDI_SAMPLE_DIR } from './stedi-sample-location';

export { hasStediSample, STEDI_SAMPLE_DIR };

if (!hasStediSample && process.env.CI === 'true') {
  throw new Error(`the real STEDI data is required on CI but was not found at ${STEDI_SAMPLE_DIR}; set STEDI_SAMPLE_DIR`);
}

/** `describe` when the real data is present, `describe.skip` otherwise (global-setup.ts says why, once per run). */
export const describeWithStediSample: jest.Describe = hasStediSample ? describe : describe.skip;

/** The row counts the real data's README gives for every table, under each consent policy. */
export const REFERENCE_COUNTS = {
  any: {
    customer_landing: 956,
    accelerometer_landing: 81_273,
    step_trainer_landing: 28_680,
    customer_trusted: 482,
    accelerometer_trusted: 40_981,
    step_trainer_trusted: 14_460,
    customer_curated: 482,
    machine_learning_curated: 40_981,
  },
  'as-of': {
    customer_landing: 956,
    accelerometer_landing: 81_273,
    step_trainer_landing: 28_680,
    customer_trusted: 482,
    accelerometer_trusted: 32_025,
    step_trainer_trusted: 11_297,
    customer_curated: 464,
    machine_learning_curated: 32_025,
  },
} as const;
