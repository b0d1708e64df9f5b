#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { main, runDelegated } from '../dist/cli/main.js';

// The AWS SDK warns on every run under Node 20 about a future Node requirement; it is noise for lambench's users.
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) =>
  String(warning).includes('AWS SDK for JavaScript (v3)') ? undefined : emitWarning.call(process, warning, ...rest);

const argv = process.argv.slice(2);
// Without a cgroup of its own on cgroup v2, the command re-runs itself in a delegated systemd scope.
process.exitCode = (await runDelegated(argv, fileURLToPath(import.meta.url))) ?? (await main(argv));
