// README's "Adding a policy", word for word: the module it shows, the commands it shows. The
// variant loads without editing cowfuzz, the fuzzer finds what it breaks, and the corpus's
// `expect default` does not apply to it (so `npm test` stays green).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT } from './run-cli.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('### Adding a policy'), readme.indexOf('## Invariants'));
const blocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, text: m[2]! }));
// the module must sit inside the package for `import ... from 'cowfuzz'` to resolve (self-reference),
// as it would in a project that installed cowfuzz
const dir = join(ROOT, 'test-results', 'readme-policy');
const moduleFile = join(dir, section.match(/`([\w-]+\.mjs)`/)![1]!);

describe("README's Adding a policy", () => {
  it('shows a module and the commands to use it', () => {
    expect(blocks.map((b) => b.lang)).toEqual(['js', 'sh']);
    mkdirSync(dir, { recursive: true });
    writeFileSync(moduleFile, blocks[0]!.text);
  });

  it('runs word for word', () => {
    const commands = blocks[1]!.text.trim().split('\n');
    expect(commands).toHaveLength(3);
    const args = (line: string) => line.replace(/^npx cowfuzz /, '').split(/\s+/).map((a) => (a === 'my-proposal.mjs' ? moduleFile : a));
    const list = cli(args(commands[0]!));
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/variants \(from --policy-module\):\n\s+my-proposal +RFC/);
    const fuzz = cli([...args(commands[1]!), '--out', join(dir, 'findings')]);
    expect(fuzz.status, fuzz.stderr).toBe(1);
    expect(fuzz.stdout).toMatch(/FOUND anon-exclusive under my-proposal/);
    const cmp = cli(args(commands[2]!));
    expect(cmp.status, cmp.stderr).toBe(0);
    expect(cmp.stdout).toMatch(/my-proposal/);
  });

  it('leaves the corpus green: expect default covers the kernel eras only', () => {
    const r = cli(['replay', 'corpus', '--policy-module', moduleFile, '--policy', 'everything', '-q']);
    expect(r.status, r.stdout).toBe(0);
  });

  it('refuses a module that exports no policy, or a broken one, with exit 2', () => {
    const empty = join(dir, 'empty.mjs');
    writeFileSync(empty, 'export const x = 1;\n');
    const r = cli(['policies', '--policy-module', empty]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/exports no policy/);
    const broken = join(dir, 'broken.mjs');
    writeFileSync(broken, "export const p = { name: 'half', wpReuseAnon: () => 'copy' };\n");
    const b = cli(['policies', '--policy-module', broken]);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/lacks/);
    const missing = cli(['policies', '--policy-module', join(dir, 'nope.mjs')]);
    expect(missing.status).toBe(2);
  });
});
