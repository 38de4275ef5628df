// The order in which src/ folders may import each other (README, "Layout"). A folder may import
// itself and the folders listed for it, nothing above: a backward import fails CI (.ci/run).
const layers = {
  model: [],
  policy: ['model'],
  oracle: ['model'],
  world: ['model', 'oracle'],
  invariants: ['model', 'oracle', 'world'],
  ops: ['model', 'oracle', 'world', 'invariants'],
  engine: ['model', 'oracle', 'world', 'invariants', 'ops'],
  scenario: ['model', 'oracle', 'world', 'invariants', 'ops', 'engine'],
  exhaust: ['model', 'policy', 'oracle', 'world', 'invariants', 'ops', 'engine'],
  fuzz: ['model', 'policy', 'oracle', 'world', 'invariants', 'ops', 'engine', 'scenario'],
  explain: ['model', 'policy', 'oracle', 'world', 'invariants', 'ops', 'engine', 'scenario', 'report'],
  report: ['model', 'policy', 'oracle', 'world', 'invariants', 'ops', 'engine', 'scenario', 'fuzz'],
  repro: ['model', 'policy', 'oracle', 'world', 'invariants', 'ops', 'engine', 'scenario'],
  bench: ['model', 'policy', 'oracle', 'world', 'invariants', 'ops', 'engine', 'scenario', 'exhaust', 'fuzz'],
  cli: ['model', 'policy', 'oracle', 'world', 'invariants', 'ops', 'engine', 'scenario', 'exhaust', 'fuzz', 'report', 'explain', 'repro'],
};

const forbidden = Object.entries(layers).map(([folder, allowed]) => ({
  name: `${folder}-imports-only-${allowed.length ? allowed.join('-') : 'itself'}`,
  comment: `src/${folder} may import only itself${allowed.length ? ' and ' + allowed.join(', ') : ''}`,
  severity: 'error',
  from: { path: `^src/${folder}/` },
  to: { path: '^src/', pathNot: `^src/(${[folder, ...allowed].join('|')})/` },
}));

forbidden.push(
  { name: 'no-circular', comment: 'no import cycle through runtime imports (type-only cycles inside a folder are harmless)', severity: 'error', from: {}, to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } } },
  { name: 'package-api-is-policy-level', severity: 'error', from: { path: '^src/index\\.ts$' }, to: { path: '^src/', pathNot: '^src/(model|policy)/' } },
  { name: 'every-folder-is-layered', comment: 'a new folder under src/ needs its line in .dependency-cruiser.cjs', severity: 'error', from: { path: '^src/', pathNot: `^src/(${Object.keys(layers).join('|')})/|^src/index\\.ts$` }, to: {} },
);

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
