#!/usr/bin/env node
// The compiled CLI; `npm install` builds it through the prepare script.
// Libraries read NODE_ENV when they load (graphql-js skips its costly development checks in production), so it is set before anything loads.
process.env.NODE_ENV = process.env.NODE_ENV || 'production';
// DuckDB runs every query on libuv's thread pool (4 threads by default), shared with file I/O; size it before first use.
process.env.UV_THREADPOOL_SIZE = process.env.UV_THREADPOOL_SIZE || '16';
// The AWS SDK prints eight lines on Node 20 about its releases after January 2027; the installed SDK is pinned by
// the lock file and works, and every Athena command would otherwise start with them (README: Node 20 and 22+).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED || 'true';
require('../dist/src/cli.js').main(process.argv);
