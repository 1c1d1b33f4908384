import 'reflect-metadata';
import { type ClassType, Extensions, Field, ObjectType } from 'type-graphql';
import { RENDERED_EDGES } from '../rendered-edges';
import { SafeInt } from './scalars';

@ObjectType({ simpleResolvers: true, description: 'Relay page information.' })
export class PageInfo {
  @Field(() => Boolean, { description: 'True when another page follows: pass endCursor as `after` to read it.' })
  hasNextPage!: boolean;

  @Field(() => Boolean, { description: 'True when the page was read after a cursor (paging is forward only: pass an earlier cursor to go back).' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: "The first edge's cursor; null on an empty page." })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to get the next page; null on an empty page.' })
  endCursor!: string | null;
}

/**
 * The Edge and Connection object types of one node type. Their fields are
 * plain properties (simple resolvers): a page of 10,000 edges costs no
 * per-field middleware.
 */
export function connectionTypes<N extends object>(Node: ClassType<N>, name: string, options: { renderedEdges?: boolean } = {}): { Edge: ClassType; Connection: ClassType } {
  @ObjectType(`${name}Edge`, { simpleResolvers: true, description: `One ${name} of a page, with its cursor.` })
  class Edge {
    @Field(() => String, { description: 'An opaque keyset cursor; it pins the lake version the paging started on.' })
    cursor!: string;

    @Field(() => Node, { description: 'The row.' })
    node!: N;
  }

  @ObjectType(`${name}Connection`, { simpleResolvers: true, description: `A page of ${name} rows (Relay connection): read the next with pageInfo.endCursor as \`after\`.` })
  class Connection {
    @Field(() => [Edge], { description: 'The rows of this page, in the order of the field (first rows at most).' })
    edges!: Edge[];

    // PostGraphile's (and many Relay servers') shorthand: a client written for `nodes` works unchanged.
    @Field(() => [Node], { description: 'The rows of this page, as edges { node } holds them, without their cursors (pageInfo.endCursor continues the page).' })
    nodes!: N[];

    @Field(() => PageInfo, { description: 'Where this page ends and whether another follows.' })
    pageInfo!: PageInfo;

    // Nullable: a count that fails (timeout, budget) leaves the page and its siblings answered.
    @Field(() => SafeInt, {
      nullable: true,
      description: 'Rows matching the filter (consent applied), in the version the page was read from; null, with an error, when the count failed.',
    })
    totalCount!: number | null;

    @Field(() => String, {
      description:
        'The lake version this page was read from: the live one, or the one its `after` cursor (or its customer) pinned. A pull resumed from a saved cursor after a rebuild reads that version, not `lake { liveVersion }`; the same as machineLearningBatch.lakeVersion and /export\'s X-Lake-Version.',
    })
    lakeVersion!: string;
  }

  // Its edges may be written as JSON text by the executor (rendered-edges.ts).
  if (options.renderedEdges) Extensions({ [RENDERED_EDGES]: true })(Connection);
  return { Edge, Connection };
}
