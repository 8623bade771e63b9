import { createRequire } from 'node:module';
import { commentSpans, commentStyle, nonCodeSpans } from '../comments.js';
import { tokenize, type LogicalLine } from '../python/tokenize.js';
import type { BuiltinRule, RawFinding } from '../types.js';

const SOURCE = ['**/*.{py,ts,tsx,js,jsx,mjs,cjs,go,rs,java,kt,rb,c,h,cc,cpp,cs,swift,scala,php,sh}'];
/** Tests, vendored code and generated state are not where an agent's leftovers matter. */
const EXCLUDE = [
  '**/node_modules/**',
  '**/vendor/**',
  '**/third_party/**',
  '.orchestra/**',
  '**/test/**',
  '**/tests/**',
  '**/__tests__/**',
  '**/*.test.*',
  '**/*.spec.*',
  '**/test_*.py',
  '**/*_test.py',
  '**/*_test.go',
];

export const noTodo: BuiltinRule = {
  id: 'hygiene/no-todo',
  description: 'TODO, FIXME and XXX notes in comments: work an agent left undone.',
  severity: 'error',
  files: SOURCE,
  exclude: EXCLUDE,
  options: { words: { type: 'string[]', description: 'Words that mark unfinished work.', default: ['TODO', 'FIXME', 'XXX'] } },
  check(file, text, options) {
    const words = (options['words'] as string[]).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    const re = new RegExp(`\\b(${words.join('|')})\\b`, 'g');
    const findings: RawFinding[] = [];
    for (const [start, end] of commentSpans(text, commentStyle(file))) {
      for (const m of text.slice(start, end).matchAll(re)) {
        findings.push({
          start: start + m.index,
          end: start + m.index + m[0].length,
          message: `a ${m[0]} note was left in a comment: finish the work or track it elsewhere`,
        });
      }
    }
    return findings;
  },
};

export const noConflictMarkers: BuiltinRule = {
  id: 'hygiene/no-conflict-markers',
  description: 'Leftover git merge conflict markers.',
  severity: 'error',
  files: ['**/*'],
  exclude: ['**/node_modules/**', '.orchestra/**', '**/*.lock', '**/package-lock.json'],
  options: {},
  check(_file, text) {
    const findings: RawFinding[] = [];
    for (const m of text.matchAll(/^(<{7}|={7}|>{7})(?= |$)/gm))
      findings.push({ start: m.index, end: m.index + 7, message: 'a git conflict marker was left in the file' });
    return findings;
  },
};

function pythonPlaceholders(file: string, text: string): RawFinding[] {
  const lines = tokenize(text);
  const comments = commentSpans(text, 'hash');
  const commentOnLine = (offset: number): string => {
    const lineEnd = text.indexOf('\n', offset);
    const span = comments.find(([s]) => s >= offset && (lineEnd === -1 || s < lineEnd));
    return span ? text.slice(span[0], span[1]) : '';
  };
  const findings: RawFinding[] = [];
  const stub = file.endsWith('.pyi');
  lines.forEach((line, i) => {
    const t = line.tokens;
    const first = t[0];
    if (!first) return;
    if (first.text === 'raise' && t[1]?.text === 'NotImplementedError') {
      findings.push({ start: first.start, end: t[1].end, message: 'raise NotImplementedError: placeholder code instead of an implementation' });
    }
    if (first.text === 'pass' && t.length === 1 && /placeholder|todo|stub|implement/i.test(commentOnLine(first.start))) {
      findings.push({ start: first.start, end: first.end, message: "'pass' marked as a placeholder: the body was never written" });
    }
    if (first.text === 'def' || (first.text === 'async' && t[1]?.text === 'def')) {
      const body = lines[i + 1];
      const after = lines[i + 2];
      const onlyEllipsis =
        body && body.indent > line.indent && body.tokens.length === 1 && body.tokens[0]?.text === '...' && (!after || after.indent <= line.indent);
      const inline = t.at(-1)?.text === '...' && t.at(-2)?.text === ':';
      if ((onlyEllipsis || inline) && !stub && !isInterface(lines, i)) {
        findings.push({
          start: first.start,
          end: (t[first.text === 'def' ? 1 : 2] ?? first).end,
          message: "a function whose body is only '...': placeholder code outside a stub or protocol",
        });
      }
    }
  });
  return findings;
}

/** Inside a Protocol or ABC class, or under @abstractmethod / @overload: `...` is the body it should have. */
function isInterface(lines: readonly LogicalLine[], defIndex: number): boolean {
  const def = lines[defIndex] as LogicalLine;
  for (let j = defIndex - 1; j >= 0; j--) {
    const l = lines[j] as LogicalLine;
    if (l.indent === def.indent && l.tokens[0]?.text === '@') {
      const name = l.tokens.filter((x) => x.kind === 'name').at(-1)?.text ?? '';
      if (/^(abstractmethod|overload|abstractproperty)$/.test(name) || l.tokens.some((x) => x.text === 'abstractmethod' || x.text === 'overload')) return true;
      continue;
    }
    if (l.indent < def.indent) {
      return l.tokens[0]?.text === 'class' && l.tokens.some((x) => x.kind === 'name' && /^(Protocol|ABC|ABCMeta)$/.test(x.text));
    }
    if (l.indent === def.indent) break;
  }
  return false;
}

export const noPlaceholder: BuiltinRule = {
  id: 'hygiene/no-placeholder',
  description:
    "Code that only pretends: raise NotImplementedError, 'pass  # placeholder', throw new Error('not implemented'), bodies that are only '...' outside stubs and protocols.",
  severity: 'error',
  files: SOURCE,
  exclude: EXCLUDE,
  options: {},
  check(file, text) {
    if (/\.pyi?$/.test(file)) return pythonPlaceholders(file, text);
    const style = commentStyle(file);
    if (style !== 'c') return [];
    // A string that merely mentions `throw new Error("not implemented")` is not code.
    const nonCode = nonCodeSpans(text, style);
    const inComment = (offset: number) => nonCode.some(([s, e]) => offset >= s && offset < e);
    const findings: RawFinding[] = [];
    for (const m of text.matchAll(/throw\s+new\s+Error\(\s*(['"`])\s*(not\s+implemented|todo|unimplemented)/gi)) {
      if (!inComment(m.index))
        findings.push({ start: m.index, end: m.index + m[0].length, message: 'throws "not implemented": placeholder code instead of an implementation' });
    }
    for (const m of text.matchAll(/\b(unimplemented!|todo!)\(\)|panic\(\s*"(not implemented|todo|unimplemented)/gi)) {
      if (!inComment(m.index)) findings.push({ start: m.index, end: m.index + m[0].length, message: 'a placeholder instead of an implementation' });
    }
    return findings;
  },
};

export const filesExist: BuiltinRule = {
  id: 'hygiene/files-exist',
  description: 'Paths or globs the plan names must match at least one file (a phase that claims to have generated them did).',
  severity: 'error',
  files: ['**/*'],
  exclude: ['**/node_modules/**', '.orchestra/**'],
  options: { paths: { type: 'string[]', description: 'Paths or globs (from the repo root) that must each match a file.', default: [] } },
  check: () => [],
  checkFiles(files, options) {
    // Loaded here: the registry is imported by every config load, this rule rarely runs.
    const picomatch = createRequire(import.meta.url)('picomatch') as typeof import('picomatch');
    return (options['paths'] as string[]).flatMap((pattern) => {
      const match = picomatch(pattern, { dot: true });
      return files.some((f) => match(f)) ? [] : [{ file: pattern, message: `nothing matches '${pattern}': the files the plan promised do not exist` }];
    });
  },
};
