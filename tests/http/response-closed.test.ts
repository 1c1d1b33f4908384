import { EventEmitter } from 'node:events';
import { whenClosed, whenFinished } from '../../src/http/response-closed';

/** Work run once a response closes or finishes (response-closed.ts), as listeners of its own would run. */

describe('work once a response closes or finishes', () => {
  it('runs every piece once, in the order asked, from one listener an event', () => {
    const response = new EventEmitter();
    const ran: string[] = [];
    whenClosed(response, () => ran.push('a'));
    whenFinished(response, () => ran.push('finished'));
    whenClosed(response, () => ran.push('b'));
    expect(response.listenerCount('close')).toBe(1);
    expect(response.listenerCount('finish')).toBe(1);
    response.emit('finish');
    response.emit('close');
    response.emit('close');
    expect(ran).toEqual(['finished', 'a', 'b']);
    expect(response.listenerCount('close')).toBe(0);
  });

  it('never runs work asked for while the event runs, or after it', () => {
    const response = new EventEmitter();
    const ran: string[] = [];
    whenClosed(response, () => {
      ran.push('first');
      whenClosed(response, () => ran.push('added while closing'));
    });
    response.emit('close');
    whenClosed(response, () => ran.push('added after'));
    response.emit('close');
    expect(ran).toEqual(['first']);
  });
});
