import 'reflect-metadata';
import { type GraphQLFieldResolver, type GraphQLSchema, isObjectType } from 'graphql';
import { buildSchema } from 'type-graphql';
import { authChecker } from './auth-checker';
import type { GraphqlContext } from './context';
import { fieldError } from './field-error';
import { AccelerometerReadingResolver } from './resolvers/accelerometer-reading.resolver';
import { CustomerResolver } from './resolvers/customer.resolver';
import { LakeConsentResolver } from './resolvers/lake-consent.resolver';
import { LakeResolver } from './resolvers/lake.resolver';
import { MachineLearningBatchResolver } from './resolvers/machine-learning-batch.resolver';
import { MachineLearningSampleResolver } from './resolvers/machine-learning-sample.resolver';
import { RebuildResolver } from './resolvers/rebuild.resolver';
import { StepTrainerReadingResolver } from './resolvers/step-trainer-reading.resolver';
import { validateArgs } from './validate-args';

export const RESOLVERS = [
  CustomerResolver,
  AccelerometerReadingResolver,
  StepTrainerReadingResolver,
  MachineLearningSampleResolver,
  MachineLearningBatchResolver,
  LakeResolver,
  LakeConsentResolver,
  RebuildResolver,
] as const;

let built: Promise<GraphQLSchema> | undefined;

/**
 * The executable schema (built once per process). Every field that has a
 * resolver is wrapped so whatever it throws reaches the client as a
 * StediError; plain fields (node properties) stay wrapper-free for speed.
 */
export function buildGraphqlSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers: RESOLVERS,
    authChecker,
    authMode: 'error',
    validateFn: validateArgs,
  }).then(withErrorMapping);
  return built;
}

function withErrorMapping(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.resolve) field.resolve = mapErrors(field.resolve as GraphQLFieldResolver<unknown, GraphqlContext>);
    }
  }
  return schema;
}

function mapErrors(resolve: GraphQLFieldResolver<unknown, GraphqlContext>): GraphQLFieldResolver<unknown, GraphqlContext> {
  return (source, args, context, info) => {
    const fail = async (error: unknown): Promise<never> => {
      throw await fieldError(error, context, `${info.parentType.name}.${info.fieldName}`);
    };
    try {
      const result = resolve(source, args, context, info);
      return result instanceof Promise ? result.catch(fail) : result;
    } catch (error) {
      return fail(error);
    }
  };
}
