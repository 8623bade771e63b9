// The fuzz cases for `orchestra validate`: a valid config and team file, each
// mutated in the ways that once crashed it or ran it out of time or memory
// (issue 20). Pure and seeded: the same seed gives the same cases, so a case
// that fails can be made again from its seed and index.

/** A small, fast, seeded PRNG (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (list) => list[Math.floor(next() * list.length)],
  };
}

export const BASE_CONFIG = `extends: [hygiene]
team: ./team.json
concurrency: 4
gates:
  typecheck:
    run: tsc --noEmit
    inputs: ["src/**/*.ts", tsconfig.json]
    timeout: 5m
    env: { NODE_ENV: test }
  unit:
    run: [npm, test]
    needs: [typecheck]
    retries: 1
  timestamps:
    rule: sqlalchemy/timestamp-server-default
    files: ["app/**/*.py"]
    severity: warning
phases:
  - id: models
    description: the models
    tasks:
      - id: user-model
        agent: implementer
        prompt: Implement the User model as SPEC.md says.
        scope: { touch: ["app/models/**"], forbid: ["app/api/**"] }
        timeout: 10m
    gates: [timestamps, unit]
    fix: { agent: fix-executor, attempts: 3 }
  - id: api
    needs: [models]
    tasks:
      - { id: routes, agent: codex, prompt: Add the routes., scope: { touch: ["app/api/**"] } }
hooks:
  pre-push: [typecheck, unit]
budget: { usd: 5 }
sandbox: { mode: auto }
`;

export const BASE_TEAM = `{
  "agents": [
    { "id": "claude", "use": "claude-code", "roles": ["implementer", "fix-executor"], "concurrency": 2 },
    { "id": "codex", "command": ["codex", "exec", "{{prompt}}"], "roles": ["reviewer"], "env": { "A": "1" } }
  ]
}
`;

const WRONG_VALUES = [
  '123',
  '-1',
  '1e309',
  '-1e309',
  '99999999999999999999',
  '0x10',
  '.inf',
  '.nan',
  'true',
  'null',
  '~',
  '[]',
  '{}',
  '[1, 2]',
  '{ a: 1 }',
  '""',
  "'x'",
  '!!binary aGk=',
  '2001-12-14',
];
const WRONG_JSON = ['123', '-1', '1e309', 'true', 'null', '[]', '{}', '[1, 2]', '{ "a": 1 }', '""', '"x"'];
const ODD_TEXT = [
  '\u0000',
  '\ufeff',
  '\u202e',
  '\u200b',
  '\ud800',
  '😀',
  'ß',
  '\u0085',
  '\u2028',
  '\r',
  '\t',
  '\\',
  '"',
  "'",
  '#',
  ': ',
  '- ',
  '&a ',
  '*a',
  '!!str ',
  '%YAML 1.2\n',
  '---\n',
  '...\n',
  '{{workdir}}',
];
const KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'gates', 'phases', 'id', 'run', '<<'];
const PATHS = [
  '.',
  './',
  '/',
  '/dev/null',
  '/dev/zero',
  '/proc/version',
  '/proc/self/status',
  '/sys/kernel/mm',
  './pipe',
  './dir',
  '../../../../etc/passwd',
  '',
];

/** One case: the files to write (name → text) and the arguments after `validate`. */
function mutate(r, index, big) {
  const team = r.next() < 0.25;
  const base = team ? BASE_TEAM : BASE_CONFIG;
  const lines = base.split('\n');
  const at = () => r.int(lines.length);
  const put = (text, kind) => ({
    kind,
    files: team ? { 'orchestra.config.yaml': BASE_CONFIG, 'team.json': text } : { 'orchestra.config.yaml': text, 'team.json': BASE_TEAM },
    args: [],
  });
  const kinds = [
    () => (lines.splice(at(), 1), put(lines.join('\n'), 'line-delete')),
    () => {
      const i = at();
      lines.splice(i, 0, lines[i]);
      return put(lines.join('\n'), 'line-duplicate');
    },
    () => {
      const i = at();
      lines[i] = r.next() < 0.5 ? ' '.repeat(1 + r.int(3)) + lines[i] : lines[i].replace(/^ {1,3}/, '');
      return put(lines.join('\n'), 'indent');
    },
    () => {
      const i = at();
      lines[i] = lines[i].replace(/^( +)/, (s) => '\t'.repeat(Math.max(1, s.length / 2)));
      return put(lines.join('\n'), 'tabs');
    },
    () => {
      // A wrong type in a field: the value after some key's colon.
      const fields = lines.map((l, i) => [l, i]).filter(([l]) => (team ? /"[\w]+": /.test(l) : /^\s*-?\s*[\w<]+: \S/.test(l)));
      const [line, i] = r.pick(fields);
      lines[i] = team
        ? line.replace(/("[\w]+": )("[^"]*"|\[[^\]]*\]|\d+|\{[^}]*\})/, `$1${r.pick(WRONG_JSON)}`)
        : line.replace(/^(\s*-?\s*[\w<]+: ).*$/, `$1${r.pick(WRONG_VALUES)}`);
      return put(lines.join('\n'), 'wrong-type');
    },
    () => {
      const text = lines.join('\n');
      const p = r.int(text.length + 1);
      return put(text.slice(0, p) + r.pick(ODD_TEXT) + text.slice(p), 'odd-char');
    },
    () => {
      const n = big ? 5000 : 200 + r.int(4800);
      const open = r.next() < 0.5;
      const nest = open ? '['.repeat(n) + ']'.repeat(n) : Array.from({ length: Math.min(n, 2000) }, (_, d) => `${' '.repeat(d)}k:`).join('\n') + ' 1';
      return put(open ? `${base}x: ${nest}\n` : `${base}x:\n${nest.replace(/^/gm, ' ')}\n`, 'nesting');
    },
    () => {
      const size = big ? 5 * 1024 * 1024 : 100_000 + r.int(200_000);
      return put(
        team ? base.replace('"claude"', `"${'c'.repeat(size)}"`) : base.replace('Implement the User model as SPEC.md says.', `"${'x'.repeat(size)}"`),
        'long-string',
      );
    },
    () => {
      const width = 2 + r.int(9);
      const depth = 2 + r.int(8);
      const out = [`a0: &a0 [${Array(width).fill('x').join(', ')}]`];
      for (let d = 1; d < depth; d++)
        out.push(
          `a${d}: &a${d} [${Array(width)
            .fill(`*a${d - 1}`)
            .join(', ')}]`,
        );
      return put(`${base}${out.join('\n')}\n`, 'alias-bomb');
    },
    () => put(base.replace('gates:\n', 'x-defaults: &d { timeout: 5m }\ngates:\n').replace('  unit:\n', '  unit:\n    <<: *d\n'), 'merge-key'),
    () => {
      const key = r.pick(KEYS);
      const i = at();
      const indent = /^\s*/.exec(lines[i])[0];
      lines.splice(i, 0, team ? `${indent}"${key}": {},` : `${indent}${key}: ${r.pick(WRONG_VALUES)}`);
      return put(lines.join('\n'), 'odd-key');
    },
    () => put(lines.join('\r\n'), 'crlf'),
    () => put(base.slice(0, r.int(base.length)), 'truncate'),
    () => {
      const bytes = Buffer.from(base);
      for (let k = 1 + r.int(8); k > 0; k--) bytes[r.int(bytes.length)] = r.int(256);
      return {
        ...put('', 'byte-flip'),
        files: team ? { 'orchestra.config.yaml': BASE_CONFIG, 'team.json': bytes } : { 'orchestra.config.yaml': bytes, 'team.json': BASE_TEAM },
      };
    },
    () => {
      const which = r.pick(['team', 'spec', 'extends', '--config']);
      const p = r.pick(PATHS);
      const c = { kind: `path-${which}`, files: { 'orchestra.config.yaml': BASE_CONFIG, 'team.json': BASE_TEAM, 'dir/.keep': '' }, fifo: 'pipe', args: [] };
      if (which === '--config') return { ...c, args: ['--config', p] };
      const line = which === 'extends' ? `extends: [${JSON.stringify(p)}]` : `${which}: ${JSON.stringify(p)}`;
      c.files['orchestra.config.yaml'] = BASE_CONFIG.replace(/^extends: .*$/m, '').replace(/^team: .*$/m, '') + `${line}\n`;
      return c;
    },
    () => {
      const n = big ? 20_000 + r.int(80_001) : 100 + r.int(300);
      const broken = r.next() < 0.5;
      const gates = Array.from({ length: n }, (_, i) =>
        broken ? `  g${i}: { run: ${i}, needs: [g${i + 1}x], timeout: soon }` : `  g${i}: { run: echo ${i}, needs: [${i ? `g${i - 1}` : ''}] }`,
      );
      return put(`gates:\n${gates.join('\n')}\n`, broken ? 'many-gates-broken' : 'many-gates');
    },
  ];
  if (big) kinds.push(() => put(`${base}# ${'z'.repeat(30 * 1024 * 1024)}\n`, 'huge-file'));
  // The first cases go through every kind once, so that even a short run covers them all.
  return index < kinds.length ? kinds[index]() : r.pick(kinds)();
}

/** `count` cases from `seed`; `big` adds the costly ones (30 MB files, 100k gates, 5 MB strings). */
export function* fuzzCases(seed, count, big = false) {
  for (let i = 0; i < count; i++) {
    const r = rng(seed * 1_000_003 + i);
    yield { index: i, ...mutate(r, i, big) };
  }
}
