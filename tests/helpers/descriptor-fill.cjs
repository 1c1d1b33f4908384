// Preloaded (`node --require`) into a stedi server under test, and so into its cluster workers: while the file named by
// STEDI_TEST_FILL_FILE exists, each worker holds every descriptor its open-file limit allows (as a worker busy with
// exports' files does under a low `ulimit -n`), and says so by a file `<that file>.<pid>`; once it is removed, the
// worker closes them and removes its own file.
const cluster = require('node:cluster');
const { closeSync, existsSync, openSync, unlinkSync, writeFileSync } = require('node:fs');

const file = process.env.STEDI_TEST_FILL_FILE;
if (file && cluster.isWorker) {
  const marker = `${file}.${process.pid}`;
  const held = [];
  const fill = () => {
    for (;;) {
      try {
        held.push(openSync('/dev/null', 'r'));
      } catch {
        return;
      }
    }
  };
  setInterval(() => {
    if (existsSync(file) && held.length === 0) {
      fill();
      // One descriptor given back to write the marker, then taken again.
      closeSync(held.pop());
      writeFileSync(marker, '');
      fill();
    } else if (!existsSync(file) && held.length > 0) {
      for (const fd of held.splice(0)) closeSync(fd);
      unlinkSync(marker);
    }
  }, 20).unref();
}
