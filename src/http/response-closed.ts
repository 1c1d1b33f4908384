/**
 * Work to run once a response closes (sent, cut, or its connection gone) or finishes (handed whole to the system), in
 * the order it was asked for, from one listener a response and event. A small query's response had about ten `close`
 * listeners and three `finish` ones, each its own once-wrapper that Node added to a list, copied at the event and
 * spliced out again one by one. Work added once the event has passed never runs, as a listener added then never would.
 */

type Event = 'close' | 'finish';
interface Emitter {
  once(event: Event, listener: () => void): unknown;
}

const LISTS: Record<Event, symbol> = { close: Symbol('work once closed'), finish: Symbol('work once finished') };

function whenEmitted(event: Event, emitter: Emitter, work: () => void): void {
  const holder = emitter as unknown as Record<symbol, Array<() => void> | undefined>;
  const list = holder[LISTS[event]];
  if (list) return void list.push(work);
  const works = [work];
  holder[LISTS[event]] = works;
  emitter.once(event, () => {
    // As an emitter's own listeners: what one of them adds while they run waits for an event that will not come.
    for (let i = 0, count = works.length; i < count; i += 1) works[i]!();
  });
}

/** Runs `work` once the response (or any stream with a `close` event) closes. */
export const whenClosed = (emitter: Emitter, work: () => void): void => whenEmitted('close', emitter, work);

/** Runs `work` once the response has handed its last byte to the system. */
export const whenFinished = (emitter: Emitter, work: () => void): void => whenEmitted('finish', emitter, work);
