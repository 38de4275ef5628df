// Which kernel era a running kernel belongs to: `uname -r` (or the version a kernel image carries)
// against the range each era policy names in its `kernels` field ('5.9 - 5.10', '<= 4.8', '6.7+',
// '5.18', '5.8 (and 5.7.3+, ...)': the part before a parenthesis). The eras' own descriptions are
// the one table; this is the one place that reads them.
//
// A release is placed by its mainline version (major.minor) only: a stable kernel carries backports
// its mainline era does not have (5.10.223 keeps pinned pages out of the swap cache, a 5.11 change),
// which is what `# expect-kernel` records in a scenario are for (see known.ts).

import type { CowPolicy } from '../model/policy.js';

/** A mainline version as major * 1000 + minor (5.10 -> 5010). */
export type KernelVersion = number;

export interface KernelRange {
  /** inclusive bounds */
  readonly lo: KernelVersion;
  readonly hi: KernelVersion;
}

const VERSION = /^(\d+)\.(\d+)/;

/** The mainline version of a release string (`6.1.0-56-cloud-amd64` -> 6001), or null. */
export function mainlineVersion(release: string): KernelVersion | null {
  const m = VERSION.exec(release.trim());
  if (!m) return null;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (minor >= 1000) return null;
  return major * 1000 + minor;
}

export function versionText(v: KernelVersion): string {
  return `${Math.floor(v / 1000)}.${v % 1000}`;
}

/** The range an era's `kernels` field names, or null when it names none this parser knows. */
export function parseKernels(kernels: string): KernelRange | null {
  const spec = kernels.split('(')[0]!.trim();
  const v = (s: string): KernelVersion | null => (/^\d+\.\d+$/.test(s) ? mainlineVersion(s) : null);
  let m: RegExpExecArray | null;
  if ((m = /^<=\s*(\S+)$/.exec(spec))) {
    const hi = v(m[1]!);
    return hi === null ? null : { lo: 0, hi };
  }
  if ((m = /^(\S+)\+$/.exec(spec))) {
    const lo = v(m[1]!);
    return lo === null ? null : { lo, hi: Number.MAX_SAFE_INTEGER };
  }
  if ((m = /^(\S+)\s*-\s*(\S+)$/.exec(spec))) {
    const lo = v(m[1]!);
    const hi = v(m[2]!);
    return lo === null || hi === null || hi < lo ? null : { lo, hi };
  }
  const one = v(spec);
  return one === null ? null : { lo: one, hi: one };
}

/**
 * The era a kernel release belongs to: the era whose range holds its mainline version, the
 * narrowest if several do. Null when the release has no version or no era claims it.
 */
export function eraForRelease(release: string, eras: readonly CowPolicy[]): CowPolicy | null {
  const v = mainlineVersion(release);
  if (v === null) return null;
  let best: CowPolicy | null = null;
  let bestWidth = Infinity;
  for (const p of eras) {
    const r = parseKernels(p.kernels);
    if (r === null || v < r.lo || v > r.hi) continue;
    const width = r.hi - r.lo;
    if (width < bestWidth) {
      best = p;
      bestWidth = width;
    }
  }
  return best;
}
