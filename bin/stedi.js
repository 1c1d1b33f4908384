#!/usr/bin/env node
// The compiled CLI; `npm install` builds it through the prepare script.
// Libraries read NODE_ENV when they load (graphql-js skips its costly development checks in production), so it is set before anything loads.
process.env.NODE_ENV = process.env.NODE_ENV || 'production';
require('../dist/src/cli.js').main(process.argv);
