// Preloaded (`node --require`) into a stedi process under test: link() fails with EPERM, as on a filesystem without
// hard links (exFAT and FAT, the usual USB drive), where every other file operation works as usual.
const fs = require('node:fs');

const refuse = (existing, path) => Object.assign(new Error(`EPERM: operation not permitted, link '${existing}' -> '${path}'`), { errno: -1, code: 'EPERM', syscall: 'link', path: existing, dest: path });

fs.linkSync = (existing, path) => {
  throw refuse(existing, path);
};
fs.link = (existing, path, callback) => process.nextTick(callback, refuse(existing, path));
fs.promises.link = async (existing, path) => {
  throw refuse(existing, path);
};
