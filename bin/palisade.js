#!/usr/bin/env node
// The palisade CLI (docs/cli.md). The code is TypeScript compiled by `npm run build` into dist/.
'use strict';

let cli;
try {
  cli = require('../dist/src/cli/main.js');
} catch (err) {
  if (
    err &&
    err.code === 'MODULE_NOT_FOUND' &&
    /dist[\\/]src[\\/]cli[\\/]main\.js/.test(err.message)
  ) {
    process.stderr.write(
      'palisade: not built yet; run `npm run build` in the palisade repository\n',
    );
    process.exit(2);
  }
  throw err;
}
// exitCode, not exit(): piped stdout is flushed before the process ends.
cli.run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
