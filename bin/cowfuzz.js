#!/usr/bin/env node
// Thin launcher: the CLI is compiled from src/cli into dist/ (npm run build; npm ci and npm pack do it).
import { main } from '../dist/cli/main.js';

// a closed pipe (cowfuzz ... | head) is not an error
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});
process.exitCode = await main(process.argv.slice(2));
