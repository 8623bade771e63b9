/**
 * The repository's files as a bounded text tree: every file with its size
 * while that fits, then deeper folders folded into one line each ("app/ 812
 * files, 3.1 MB"), so that a repository of 20,000 files still gives the
 * planner its shape in a few thousand characters. Pure.
 */
export interface FileEntry {
  /** Relative to the repo root, with `/`. */
  readonly path: string;
  readonly size: number;
}

interface Dir {
  readonly name: string;
  readonly dirs: Map<string, Dir>;
  readonly files: FileEntry[];
  count: number;
  bytes: number;
}

const newDir = (name: string): Dir => ({ name, dirs: new Map(), files: [], count: 0, bytes: 0 });

/** Entries listed per folder before the rest is counted on one line. */
const PER_FOLDER = 40;

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function buildTree(entries: readonly FileEntry[]): { root: Dir; depth: number } {
  const root = newDir('');
  let depth = 0;
  for (const e of entries) {
    const parts = e.path.split('/').filter(Boolean);
    depth = Math.max(depth, parts.length);
    let dir = root;
    dir.count++;
    dir.bytes += e.size;
    for (const part of parts.slice(0, -1)) {
      let next = dir.dirs.get(part);
      if (!next) dir.dirs.set(part, (next = newDir(part)));
      dir = next;
      dir.count++;
      dir.bytes += e.size;
    }
    dir.files.push(e);
  }
  return { root, depth };
}

/** Folders deeper than `open` are folded to one line; stops as soon as `budget` is passed. */
function render(root: Dir, open: number, budget: number): string | undefined {
  const lines: string[] = [];
  let length = 0;
  const push = (line: string): boolean => {
    lines.push(line);
    length += line.length + 1;
    return length <= budget;
  };
  const walk = (dir: Dir, prefix: string, level: number): boolean => {
    const dirs = [...dir.dirs.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    const files = [...dir.files].sort((a, b) => (a.path < b.path ? -1 : 1));
    let shown = 0;
    for (const d of dirs) {
      if (shown === PER_FOLDER) break;
      shown++;
      const indent = '  '.repeat(level);
      if (!push(`${indent}${prefix}${d.name}/ (${d.count} files, ${formatSize(d.bytes)})`)) return false;
      if (level + 1 <= open && !walk(d, '', level + 1)) return false;
    }
    for (const f of files) {
      if (shown === PER_FOLDER) break;
      shown++;
      if (!push(`${'  '.repeat(level)}${f.path.split('/').pop() ?? f.path} (${formatSize(f.size)})`)) return false;
    }
    const rest = dirs.length + files.length - shown;
    if (rest > 0) {
      const hidden = [...dirs.slice(Math.min(dirs.length, PER_FOLDER))];
      const hiddenFiles = files.slice(Math.max(0, PER_FOLDER - dirs.length));
      const count = hidden.reduce((n, d) => n + d.count, 0) + hiddenFiles.length;
      const bytes = hidden.reduce((n, d) => n + d.bytes, 0) + hiddenFiles.reduce((n, f) => n + f.size, 0);
      if (!push(`${'  '.repeat(level)}… ${rest} more entries (${count} files, ${formatSize(bytes)})`)) return false;
    }
    return true;
  };
  return walk(root, '', 0) ? lines.join('\n') : undefined;
}

/** The deepest listing that fits in `budget` characters; never longer than it. */
export function summarizeTree(entries: readonly FileEntry[], budget: number): string {
  const { root, depth } = buildTree(entries);
  const head = `${root.count} files, ${formatSize(root.bytes)}`;
  for (let open = depth; open >= 0; open--) {
    const text = render(root, open, budget - head.length - 1);
    if (text !== undefined) return text ? `${head}\n${text}` : head;
  }
  return head.slice(0, budget);
}

const LANGUAGES: Record<string, string> = {
  ts: 'TypeScript',
  tsx: 'TypeScript',
  mts: 'TypeScript',
  cts: 'TypeScript',
  js: 'JavaScript',
  jsx: 'JavaScript',
  mjs: 'JavaScript',
  cjs: 'JavaScript',
  py: 'Python',
  go: 'Go',
  rs: 'Rust',
  java: 'Java',
  kt: 'Kotlin',
  rb: 'Ruby',
  php: 'PHP',
  cs: 'C#',
  c: 'C',
  h: 'C',
  cc: 'C++',
  cpp: 'C++',
  hpp: 'C++',
  swift: 'Swift',
  scala: 'Scala',
  sh: 'Shell',
  sql: 'SQL',
  proto: 'Protocol Buffers',
  vue: 'Vue',
  svelte: 'Svelte',
  dart: 'Dart',
  ex: 'Elixir',
  exs: 'Elixir',
};

/** Languages by the extensions of their files, the largest share first. */
export function languagesOf(entries: readonly FileEntry[]): { name: string; files: number; bytes: number }[] {
  const by = new Map<string, { name: string; files: number; bytes: number }>();
  for (const e of entries) {
    const ext = /\.([A-Za-z0-9]+)$/.exec(e.path)?.[1]?.toLowerCase();
    const name = ext === undefined ? undefined : LANGUAGES[ext];
    if (name === undefined) continue;
    const row = by.get(name) ?? { name, files: 0, bytes: 0 };
    row.files++;
    row.bytes += e.size;
    by.set(name, row);
  }
  return [...by.values()].sort((a, b) => b.bytes - a.bytes || (a.name < b.name ? -1 : 1));
}
