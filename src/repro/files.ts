// The C sources cowfuzz ships next to this module (package.json "files" lists them): the runtime
// every reproducer pastes, and the PID 1 of the QEMU initramfs. Read at run time from src/repro/,
// whether this module runs from src/ (the tests) or from dist/repro/ (the installed command).

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

function shipped(name: string): string {
  for (const rel of [`./${name}`, `../../src/repro/${name}`]) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error(`cannot find ${name} next to ${fileURLToPath(import.meta.url)} (is the package complete?)`);
}

/** Path of cowfuzz_rt.h, the runtime of every reproducer. */
export const runtimePath = (): string => shipped('cowfuzz_rt.h');

/** Path of init.c, the initramfs's PID 1 for `kernel-check --kernel`. */
export const initPath = (): string => shipped('init.c');

export function readRuntime(): string {
  return readFileSync(runtimePath(), 'utf8');
}
