#!/usr/bin/env node
// The compiled CLI; `npm install` builds it through the prepare script.
require('../dist/src/cli.js').main(process.argv);
