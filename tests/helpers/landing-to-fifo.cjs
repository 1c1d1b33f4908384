// Preloaded (`node --require`) into a stedi process under test: the landing file STEDI_TEST_FIFO_AT is replaced by a
// named pipe nothing writes to just before the process first opens it, as a file swapped after a build listed it.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');

const target = process.env.STEDI_TEST_FIFO_AT;
const open = fs.promises.open;
let swapped = false;

fs.promises.open = async (path, ...rest) => {
  if (!swapped && String(path) === target) {
    swapped = true;
    fs.unlinkSync(target);
    execFileSync('mkfifo', [target]);
  }
  return open(path, ...rest);
};
