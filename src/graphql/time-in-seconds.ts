import { MIN_EPOCH_MS } from '../../etl/landing/landing-rules';

/**
 * A time bound (`from`, `to`, `registeredFrom`, …) that reads as a date written in seconds: above 0 and below 10^11,
 * before 1973-03-03 in milliseconds (landing's least customer date, MIN_EPOCH_MS). Taken as milliseconds,
 * `from: 1655564000` matched every reading and `to: 1655564000` none, silently. Zero and negative bounds mean the
 * same in either unit and are taken (a device with a broken clock may have sent such times).
 */
export const isTimeInSeconds = (value: number): boolean => value > 0 && value < MIN_EPOCH_MS;

/** The refusal's words, one for GraphQL and /export: the argument, the value received, and the value meant. */
export const timeInSecondsRefusal = (argument: string, value: number): string =>
  `${argument} must be epoch milliseconds; received ${value}, which is ${new Date(value).toISOString().slice(0, 10)} in milliseconds and reads as seconds: ` +
  `send ${value * 1000} (${new Date(value * 1000).toISOString()})`;
