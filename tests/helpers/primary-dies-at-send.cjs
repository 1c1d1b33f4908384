// Preloaded (`node --require`) into `stedi serve`: a cluster worker kills its primary (SIGKILL) just before it sends
// the message named in STEDI_TEST_KILL_PRIMARY_AT (`stedi:<kind>`, one of stedi's, or `act:<act>`, one of Node's cluster's),
// and sends it once the primary is dead: the race of a primary killed while its worker starts, every time.
const cluster = require('node:cluster');
const { readFileSync } = require('node:fs');

const at = process.env.STEDI_TEST_KILL_PRIMARY_AT;

/** The process's state letter (Z once dead and not yet reaped); undefined once gone. */
function state(pid) {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
  } catch {
    return undefined;
  }
}

if (at && cluster.isWorker) {
  const send = process.send.bind(process);
  let done = false;
  process.send = (message, ...rest) => {
    if (!done && message && (`stedi:${message.stedi}` === at || `act:${message.act}` === at)) {
      done = true;
      const primary = process.ppid;
      try {
        process.kill(primary, 'SIGKILL');
      } catch {
        // Killed already, by another worker.
      }
      while (!['Z', 'X', undefined].includes(state(primary)));
    }
    return send(message, ...rest);
  };
}
