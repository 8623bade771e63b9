import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { BUDGET, gatherFacts, listRepoFiles } from '../../src/planner/facts.js';
import { makeRepo, writeFiles } from '../helpers/repo.js';
import { plannerPrompt } from '../../src/planner/prompt.js';
import { languagesOf, summarizeTree, type FileEntry } from '../../src/planner/tree-summary.js';
import { configOf } from '../helpers/config.js';

/** A repository of `n` files: packages/pkg-<i>/src/<deep>/file-<j>.ts and a few Python and docs. */
function bigRepo(n: number): FileEntry[] {
  const out: FileEntry[] = [];
  for (let i = 0; out.length < n; i++) {
    const pkg = `packages/pkg-${i % 200}`;
    out.push({ path: `${pkg}/src/deep/er/module-${i}.ts`, size: 1000 + (i % 7) * 100 });
    if (i % 10 === 0) out.push({ path: `${pkg}/scripts/tool-${i}.py`, size: 500 });
  }
  return out.slice(0, n);
}

describe('the file tree a planner is shown', () => {
  it('lists every file with its size when the repository is small', () => {
    const text = summarizeTree(
      [
        { path: 'app/models/user.py', size: 2048 },
        { path: 'app/db.py', size: 83 },
        { path: 'README.md', size: 10 },
      ],
      1000,
    );
    expect(text).toBe(
      ['3 files, 2.1 KB', 'app/ (2 files, 2.1 KB)', '  models/ (1 files, 2.0 KB)', '    user.py (2.0 KB)', '  db.py (83 B)', 'README.md (10 B)'].join('\n'),
    );
  });

  it('stays within its budget on a repository of 20,000 files, folding deep folders into counted lines', () => {
    const files = bigRepo(20_000);
    for (const budget of [500, 4000, BUDGET.tree]) {
      const text = summarizeTree(files, budget);
      expect(text.length).toBeLessThanOrEqual(budget);
      expect(text.split('\n')[0]).toMatch(/^20000 files, \d+\.\d MB$/);
    }
    const text = summarizeTree(files, BUDGET.tree);
    // The top folder is there with its count; a folder of 200 packages is cut to 40 and says how many it left out.
    expect(text).toContain('packages/ (20000 files,');
    expect(text).toMatch(/… 160 more entries \(\d+ files, [\d.]+ [KM]B\)/);
  });

  it('counts languages by extension, the largest first', () => {
    expect(languagesOf(bigRepo(100)).map((l) => [l.name, l.files])).toEqual([
      ['TypeScript', 91],
      ['Python', 9],
    ]);
  });

  it('keeps the whole prompt bounded on a repository of 20,000 files with a huge SPEC.md', async () => {
    const config = await configOf('gates:\n  unit:\n    run: npm test\n', { 'SPEC.md': `# Spec\n${'All work and no play. '.repeat(50_000)}` });
    const t0 = performance.now();
    const facts = gatherFacts(config, bigRepo(20_000), ['hygiene']);
    const prompt = plannerPrompt({ request: 'Add JWT authentication', facts });
    const ms = performance.now() - t0;
    expect(facts.fileCount).toBe(20_000);
    expect(facts.spec?.text.length).toBeLessThan(BUDGET.spec + 100);
    expect(prompt.length).toBeLessThan(40_000);
    expect(prompt).toContain('- unit: npm test');
    expect(prompt).toContain('Presets: hygiene');
    expect(prompt).toContain('- claude (claude-code): roles implementer, fix-executor');
    expect(prompt).toContain('TypeScript: 18181 files');
    expect(ms).toBeLessThan(5000);
  });
});

describe("listing a repository's files", () => {
  it('gives tracked files (sizes from git), untracked ones, never ignored ones or .orchestra/, also before the first commit', () => {
    const dir = makeRepo({ 'src/a.ts': 'abc', '.gitignore': 'dist/\n', 'dist/out.js': 'x', '.orchestra/runs/r/events.jsonl': '{}' });
    const sorted = () => listRepoFiles(dir).sort((a, b) => (a.path < b.path ? -1 : 1));
    expect(sorted()).toEqual([
      { path: '.gitignore', size: 6 },
      { path: 'src/a.ts', size: 3 },
    ]);
    execFileSync('git', ['add', '-A'], { cwd: dir });
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'x'], { cwd: dir });
    writeFiles(dir, { 'notes.md': 'hello' });
    expect(sorted()).toEqual([
      { path: '.gitignore', size: 6 },
      { path: 'notes.md', size: 5 },
      { path: 'src/a.ts', size: 3 },
    ]);
    expect(listRepoFiles(dir, 2)).toHaveLength(2);
  });
});
