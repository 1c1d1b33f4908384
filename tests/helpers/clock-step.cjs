// Preloaded (`node --require`) into a stedi process under test, and so into its workers and rebuild processes: its
// wall clock (Date) runs the milliseconds written in STEDI_TEST_CLOCK_FILE ahead of the real one (behind when negative),
// as when a laptop wakes from sleep or NTP steps the clock. Timers and performance.now() keep the monotonic clock.
const { readFileSync } = require('node:fs');

const file = process.env.STEDI_TEST_CLOCK_FILE;
const RealDate = Date;
const realNow = RealDate.now;
let offset = 0;
let readAt = -Infinity;

// Date.now() is called on every log line: the file is read at most every 50 ms.
function offsetMs() {
  const now = performance.now();
  if (now - readAt >= 50) {
    readAt = now;
    try {
      offset = Number(readFileSync(file, 'utf8')) || 0;
    } catch {
      offset = 0;
    }
  }
  return offset;
}

class SteppedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(realNow() + offsetMs());
    else super(...args);
  }

  static now() {
    return realNow() + offsetMs();
  }
}

if (file) globalThis.Date = SteppedDate;
