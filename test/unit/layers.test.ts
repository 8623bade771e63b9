import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The pipeline is the layout: each folder of `src/` may import only folders
 * below it in this list (and itself). A new folder must be placed here, so
 * the order is a decision someone made, not an accident of who imported what.
 */
const LAYERS = [
  'util',
  'workspace',
  'rules',
  'config',
  'graph',
  'agents',
  'git',
  'sandbox',
  'events',
  'exec',
  // The planner turns a request into a plan file: it loads and compiles configs (config, graph), starts an agent
  // (agents, exec); `run --request` and `plan --request` (cli) use it, and nothing below the cli needs it.
  'planner',
  'run',
  'report',
  'logger',
  'monitor',
  'session',
  'serve',
  'export',
  'mcp',
  'hooks',
  'cli',
];

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every relative import of a file, static, dynamic and type-only: `import … from './x.js'`, `import('./x.js')`, `export … from`. */
export function relativeImports(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)'(\.{1,2}\/[^']+)'/g)) out.push(m[1] as string);
  return out;
}

function folderOf(file: string): string {
  return path.relative(SRC, file).split(path.sep)[0] as string;
}

describe('layering', () => {
  const files = sourceFiles(SRC);

  it('places every folder of src/ in the list', () => {
    const folders = new Set(files.map(folderOf));
    expect([...folders].filter((f) => !LAYERS.includes(f)).sort()).toEqual([]);
  });

  it('has no import from a folder to one above it (or beside it)', () => {
    const wrong: string[] = [];
    for (const file of files) {
      const from = folderOf(file);
      for (const spec of relativeImports(readFileSync(file, 'utf8'))) {
        const to = folderOf(path.resolve(path.dirname(file), spec));
        if (to !== from && LAYERS.indexOf(to) > LAYERS.indexOf(from)) wrong.push(`${path.relative(SRC, file)} imports ${spec} (${from} → ${to})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('finds imports of every form (so the rule above can fail)', () => {
    const text =
      "import a from '../x/a.js';\nimport type { B } from '../y/b.js';\nconst c = await import('../z/c.js');\nexport { d } from './d.js';\nimport './side.js';";
    expect(relativeImports(text)).toEqual(['../x/a.js', '../y/b.js', '../z/c.js', './d.js', './side.js']);
  });
});
