#!/usr/bin/env node
// The compiled CLI; `npm install` builds it through the prepare script.
// Libraries read NODE_ENV when they load (graphql-js skips its costly development checks in production), so it is set before anything loads.
process.env.NODE_ENV = process.env.NODE_ENV || 'production';
// DuckDB runs every query on libuv's thread pool (4 threads by default), shared with file I/O; size it before first use.
process.env.UV_THREADPOOL_SIZE = process.env.UV_THREADPOOL_SIZE || '16';
require('../dist/src/cli.js').main(process.argv);
