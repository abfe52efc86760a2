#!/usr/bin/env node
// The `sensescape` command: runs src/cli/main.ts through tsx's loader (Node 20 cannot run
// TypeScript by itself), so the CLI always runs the same engine sources as the app.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
