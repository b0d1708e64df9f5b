#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// The AWS SDK warns on every run under Node 20 about a future Node requirement; it is noise for lambench's users.
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) =>
  String(warning).includes('AWS SDK for JavaScript (v3)') ? undefined : emitWarning.call(process, warning, ...rest);

process.exitCode = await main(process.argv.slice(2));
