// The uname -> era mapping: every era's `kernels` field parses, the ranges do not overlap, and
// releases as `uname -r` prints them land in the era that names their mainline version.
import { describe, expect, it } from 'vitest';
import { eraPolicies } from '../../src/policy/registry.js';
import { eraForRelease, mainlineVersion, parseKernels } from '../../src/repro/era.js';

const era = (release: string): string | null => eraForRelease(release, eraPolicies)?.name ?? null;

describe('eraForRelease', () => {
  it('parses every era', () => {
    for (const p of eraPolicies) expect(parseKernels(p.kernels), `${p.name}: '${p.kernels}'`).not.toBeNull();
  });

  it('has no two eras claiming one version, the oldest from 0 and the newest open-ended', () => {
    const ranges = eraPolicies.map((p) => parseKernels(p.kernels)!).sort((a, b) => a.lo - b.lo);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]!.lo).toBeGreaterThan(ranges[i - 1]!.hi);
    expect(ranges[0]!.lo).toBe(0);
    expect(ranges[ranges.length - 1]!.hi).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('places each era at the first version it names', () => {
    for (const p of eraPolicies) {
      const r = parseKernels(p.kernels)!;
      const release = `${Math.floor(r.lo / 1000)}.${r.lo % 1000}.0-1-amd64`;
      if (r.lo > 0) expect(era(release), release).toBe(p.name);
    }
  });

  it('reads uname -r as distributions print it', () => {
    expect(era('6.18.44-fc-v669')).toBe('anon-exclusive');
    expect(era('5.10.0-32-cloud-amd64')).toBe('pagecount-5.9');
    expect(era('5.10.223')).toBe('pagecount-5.9');
    expect(era('5.4.0-150-generic')).toBe('mapcount');
    expect(era('5.8.18-100.fc31.x86_64')).toBe('gup-cow-on-read');
    expect(era('5.18.19')).toBe('pagecount-5.18');
    expect(era('5.11.0')).toBe('pagecount');
    // Debian's 6.1: whatever era names 6.1
    const debian61 = eraForRelease('6.1.0-56-cloud-amd64', eraPolicies)!;
    const r = parseKernels(debian61.kernels)!;
    expect(r.lo <= 6001 && 6001 <= r.hi).toBe(true);
  });

  it('refuses what is no release', () => {
    expect(era('')).toBeNull();
    expect(era('linux')).toBeNull();
    expect(era('v6.1')).toBeNull();
    expect(mainlineVersion('6.1')).toBe(6001);
    expect(mainlineVersion('10.2.3')).toBe(10002);
  });

  it('takes the narrowest range when ranges overlap (a user variant, say)', () => {
    const wide = { ...eraPolicies[0]!, name: 'wide', kernels: '5.0 - 6.9' };
    const narrow = { ...eraPolicies[0]!, name: 'narrow', kernels: '6.1' };
    expect(eraForRelease('6.1.5', [wide, narrow])!.name).toBe('narrow');
    expect(eraForRelease('6.2.5', [wide, narrow])!.name).toBe('wide');
  });
});
