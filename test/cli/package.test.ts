// The package installs and runs: `npm pack` ships dist/, the launcher, the corpus and the
// LICENSE; installed into an empty project, `cowfuzz replay` works and `import { variant } from
// 'cowfuzz'` resolves.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './run-cli.js';

const npm = (args: string[], cwd: string): string => execFileSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });

describe('npm pack', () => {
  it('makes a package that installs and runs', () => {
    const out = mkdtempSync(join(tmpdir(), 'cowfuzz-pack-'));
    const listing = JSON.parse(npm(['pack', '--json', '--pack-destination', out], ROOT)) as { filename: string; files: { path: string }[] }[];
    const files = listing[0]!.files.map((f) => f.path);
    for (const must of ['dist/cli/main.js', 'dist/index.js', 'dist/index.d.ts', 'dist/fuzz/worker.js', 'bin/cowfuzz.js', 'LICENSE', 'README.md', 'package.json', 'src/repro/cowfuzz_rt.h', 'src/repro/init.c']) expect(files).toContain(must);
    // of src/, only the C the reproducers are made of (read at run time)
    expect(files.filter((f) => (f.startsWith('src/') && !/^src\/repro\/[^/]+\.[ch]$/.test(f)) || f.startsWith('test/'))).toEqual([]);

    const proj = mkdtempSync(join(tmpdir(), 'cowfuzz-install-'));
    writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'user-project', version: '1.0.0', type: 'module', private: true }));
    npm(['install', '--no-audit', '--no-fund', join(out, listing[0]!.filename)], proj);
    const bin = join(proj, 'node_modules/.bin/cowfuzz');
    const corpus = join(proj, 'node_modules/cowfuzz/corpus');
    expect(readdirSync(corpus).length).toBeGreaterThan(10);
    const replay = execFileSync(bin, ['replay', corpus, '--policy', 'all', '-q'], { encoding: 'utf8', cwd: proj });
    expect(replay).toMatch(/0 not met/);
    const repro = execFileSync(bin, ['repro', join(corpus, 'vmsplice-child-leak.cow')], { encoding: 'utf8', cwd: proj });
    expect(repro).toMatch(/#define COWFUZZ_RT_H[\s\S]*CF_VMSPLICE\("P1", "A", 0, 1, "r1"\)/);
    writeFileSync(join(proj, 'mine.mjs'), "import { variant, policies } from 'cowfuzz';\nexport const mine = variant(policies['anon-exclusive'], { name: 'mine', summary: 'the same' }, {});\n");
    const list = execFileSync(bin, ['policies', '--policy-module', 'mine.mjs'], { encoding: 'utf8', cwd: proj });
    expect(list).toMatch(/mine +6\.18\+ +the same/);
  });
});
