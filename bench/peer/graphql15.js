// Preloaded into the PostGraphile process only: PostGraphile 4 needs graphql 15, the project uses 16,
// and npm hoists graphql-parse-resolve-info (a PostGraphile dependency with graphql as a peer) next to 16.
// Every `graphql` import of that process resolves to PostGraphile's own copy.
const Module = require('node:module');
const { dirname } = require('node:path');
const graphql15 = dirname(require.resolve('graphql/package.json', { paths: [dirname(require.resolve('postgraphile/package.json'))] }));
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (request === 'graphql' || request.startsWith('graphql/')) return resolve.call(this, graphql15 + request.slice('graphql'.length), parent, ...rest);
  return resolve.call(this, request, parent, ...rest);
};
