// Colour, decided once: on a terminal unless NO_COLOR or --no-color; forced by FORCE_COLOR or
// --color. (picocolors alone also colours piped output when CI is set; cowfuzz does not.)

import pc from 'picocolors';

export interface Paint {
  ok(s: string): string;
  bad(s: string): string;
  warn(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export function colorWanted(flag: boolean | undefined, isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  if (flag !== undefined) return flag;
  if ('NO_COLOR' in env && env.NO_COLOR !== '') return false;
  if ('FORCE_COLOR' in env) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return isTTY;
}

export function makePaint(enabled: boolean): Paint {
  const c = pc.createColors(enabled);
  return { ok: c.green, bad: c.red, warn: c.yellow, dim: c.dim, bold: c.bold };
}

export const NO_PAINT: Paint = makePaint(false);
