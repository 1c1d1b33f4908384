import { doubtRelations } from './consent-uncertain-statements';
import { landingCheckedName } from './object-names';
import { qualified } from './statements';

/**
 * The devices customers' older records name (not their freshest) that a line puts in doubt, with the customer
 * ("email", "device"), as a relation to select from (consent-doubt.ts heldInDoubt): a kept version built while the
 * device was theirs may hold readings of whoever wrote that line. The consent registry reads it beside the view.
 */
export function heldInDoubtSql(database: string, version: string): string {
  return [
    `(`,
    ...doubtRelations(qualified(database, landingCheckedName('customer', version)), 'every'),
    `SELECT DISTINCT "d"."email", "d"."device"`,
    `FROM "device_doubts" AS "d"`,
    `WHERE NOT EXISTS (SELECT 1 FROM "freshest" AS "f" WHERE "f"."email" = "d"."email" AND "f"."device" = "d"."device")`,
    `) AS "held_in_doubt"`,
  ].join('\n');
}
