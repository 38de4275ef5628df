// The CLI tests run the compiled command (bin/cowfuzz.js -> dist/), as a user does: build it once
// before the suites start, so they never test a stale dist/.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export default function setup(): void {
  const root = join(import.meta.dirname, '..');
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
}
