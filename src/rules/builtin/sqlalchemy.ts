import { callAt, dottedName, importedNames, type Call } from '../python/statements.js';
import { assignedCall } from '../python/call-keywords.js';
import { logicalLineRanges, tokenizeRange, type LineRange } from '../python/lines.js';
import type { LogicalLine, Token } from '../python/tokenize.js';
import type { BuiltinRule, RawFinding, TextEdit } from '../types.js';
import { columnDefinitions } from './sqlalchemy-columns.js';

const PY_FILES = ['**/*.py'];
const PY_EXCLUDE = ['**/migrations/**', '**/alembic/versions/**', '**/.venv/**', '**/venv/**', '**/site-packages/**'];

/** How to spell `func.now()` in this module, and the import to add when nothing provides it. */
function nowExpression(text: string, imports: ReturnType<typeof importedNames>, call: Call | undefined): { expr: string; importEdit?: TextEdit } {
  const { names, lastImportEnd } = imports;
  if (names.has('func')) return { expr: 'func.now()' };
  const head = call?.callee[0];
  if (head && call && call.callee.length > 1 && (head === 'sa' || head === 'sqlalchemy' || head === 'db') && (names.has(head) || head === 'db')) {
    return { expr: `${head}.func.now()` };
  }
  const at = lastImportEnd >= 0 ? lastImportEnd : 0;
  const lineEnd = lastImportEnd >= 0 ? text.indexOf('\n', at) : -1;
  const insertAt = lastImportEnd >= 0 ? (lineEnd === -1 ? text.length : lineEnd + 1) : 0;
  const prefix = lastImportEnd >= 0 && lineEnd === -1 ? '\n' : '';
  return { expr: 'func.now()', importEdit: { start: insertAt, end: insertAt, text: `${prefix}from sqlalchemy import func\n` } };
}

function insertKeywords(call: Call, parts: readonly string[]): TextEdit {
  const empty = call.positional.length === 0 && call.keywords.size === 0;
  const sep = empty || call.trailingComma ? '' : ', ';
  return { start: call.close.start, end: call.close.start, text: `${sep}${parts.join(', ')}` };
}

/** Whether the logical line text[start, end) begins with `word`. */
function startsWithin(text: string, start: number, end: number, word: string): boolean {
  return start + word.length <= end && text.startsWith(word, start);
}

/**
 * The logical lines a rule needs: those `wanted` picks by their text
 * (text[start, end), looked at in place: most lines of a models file are not
 * wanted, and copying each one out cost more than the test), and the module's
 * imports. A wanted line that `settled` says can hold no finding is left out
 * untokenized; when no wanted line is left, neither are the imports, and no
 * line is tokenized at all. That loses nothing: both rules report only
 * definitions on wanted lines (a line that could be one is wanted, import or
 * not, as `wanted` is asked first), and the imports only inform those.
 */
function relevantLines(
  text: string,
  wanted: (text: string, start: number, end: number) => boolean,
  settled: (text: string, start: number, end: number) => boolean = () => false,
): LogicalLine[] {
  const keep: LineRange[] = [];
  let open = false;
  for (const range of logicalLineRanges(text)) {
    const { start, end } = range;
    if (wanted(text, start, end)) {
      if (settled(text, start, end)) continue;
      open = true;
      keep.push(range);
    } else if (range.indent === 0 && (startsWithin(text, start, end, 'import ') || startsWithin(text, start, end, 'from '))) keep.push(range);
  }
  return open ? keep.map((range) => tokenizeRange(text, range)) : [];
}

/** `name` then optional blanks then `:` or `=`, within the 8 characters after it: an assignment or annotation of `name`. */
function assigns(text: string, start: number, end: number, name: string): boolean {
  if (!startsWithin(text, start, end, name)) return false;
  const after = start + name.length;
  return /^\s*[:=]/.test(text.slice(after, Math.min(end, after + 8)));
}

export const timestampServerDefault: BuiltinRule = {
  id: 'sqlalchemy/timestamp-server-default',
  description:
    'Timestamp columns need server_default (so the database fills them on every INSERT), and updated/modified ones onupdate too. The bug this catches: updated_at = Column(DateTime) made every insert fail.',
  severity: 'error',
  files: PY_FILES,
  exclude: PY_EXCLUDE,
  options: {
    names: {
      type: 'string[]',
      description: 'Column names that count as timestamps.',
      default: ['created_at', 'updated_at', 'modified_at', 'created_on', 'updated_on'],
    },
    updatedNames: {
      type: 'string[]',
      description: 'Those of them that must also change on UPDATE (onupdate or server_onupdate).',
      default: ['updated_at', 'modified_at', 'updated_on'],
    },
    types: { type: 'string[]', description: 'Column types that count, with any module prefix, called or not.', default: ['DateTime', 'TIMESTAMP'] },
  },
  // A finding is at a column definition whose target is one of `names` (the
  // `names.includes(name)` test below), and `wanted` keeps only lines that
  // begin with one; the early return says the same: no name, no finding.
  needles: (options) => options['names'] as string[],
  // And that line must begin with the name then `:` or `=` (`assigns`, through `wanted`).
  needlesAsTargets: true,
  check(_file, text, options) {
    const names = options['names'] as string[];
    const updated = options['updatedNames'] as string[];
    // Most files of a repo have no such column: a substring test saves reading them further.
    if (!names.some((n) => text.includes(n))) return [];
    // A line whose call visibly has every keyword its name needs can hold no finding: it is not tokenized.
    // (Findings are per line: a left-out line changes nothing for the others, which read only imports.)
    const settled = (src: string, start: number, end: number): boolean => {
      const call = assignedCall(src, start, end);
      if (!call?.keywords.has('server_default')) return false;
      return !updated.includes(call.target) || call.keywords.has('onupdate') || call.keywords.has('server_onupdate');
    };
    const lines = relevantLines(text, (src, start, end) => names.some((n) => assigns(src, start, end, n)), settled);
    const findings: RawFinding[] = [];
    let imports: ReturnType<typeof importedNames> | undefined;
    for (const col of columnDefinitions(lines, options['types'] as string[])) {
      const name = col.target.text;
      if (!names.includes(name)) continue;
      const kw = col.call?.keywords ?? new Map<string, readonly Token[]>();
      const needsServerDefault = !kw.has('server_default');
      const needsOnUpdate = updated.includes(name) && !kw.has('onupdate') && !kw.has('server_onupdate');
      if (!needsServerDefault && !needsOnUpdate) continue;
      const missing = [needsServerDefault ? 'server_default' : '', needsOnUpdate ? 'onupdate' : ''].filter(Boolean);
      let why: string;
      if (needsServerDefault && kw.has('default')) {
        why = `'${name}' uses default=, which only SQLAlchemy applies in Python: rows written by raw SQL, migrations or other services get no value. Use server_default=func.now() so the database fills it`;
      } else if (needsServerDefault) {
        why = `'${name}' has no server_default: the database fills nothing in, so an INSERT that does not set it stores NULL or fails. Add server_default=func.now()`;
      } else {
        why = `'${name}' has no onupdate: it keeps its first value forever. Add onupdate=func.now()`;
      }
      if (needsServerDefault && needsOnUpdate) why += ' and onupdate=func.now()';
      let fix: TextEdit[] | undefined;
      if (col.call) {
        imports ??= importedNames(lines);
        const { expr, importEdit } = nowExpression(text, imports, col.call);
        const parts = [needsServerDefault ? `server_default=${expr}` : '', needsOnUpdate ? `onupdate=${expr}` : ''].filter(Boolean);
        fix = [insertKeywords(col.call, parts), ...(importEdit ? [importEdit] : [])];
      }
      findings.push({ start: col.target.start, end: col.target.end, message: `${why} (missing: ${missing.join(', ')})`, ...(fix ? { fix } : {}) });
    }
    return findings;
  },
};

export const timezoneAware: BuiltinRule = {
  id: 'sqlalchemy/timezone-aware',
  description: 'DateTime columns should be DateTime(timezone=True): naive timestamps lose their offset and compare wrongly across zones.',
  severity: 'warning',
  files: PY_FILES,
  exclude: PY_EXCLUDE,
  options: {
    types: { type: 'string[]', description: 'Types that should carry timezone=True.', default: ['DateTime'] },
  },
  // The early return below: a file with neither a type name nor `Mapped` has no finding.
  needles: (options) => [...(options['types'] as string[]), 'Mapped'],
  check(_file, text, options) {
    const types = options['types'] as string[];
    const findings: RawFinding[] = [];
    if (!types.some((t) => text.includes(t)) && !text.includes('Mapped')) return findings;
    const lines = relevantLines(text, (src, start, end) => {
      const line = src.slice(start, end);
      return /^[A-Za-z_]\w*\s*[:=]/.test(line) && (line.includes('Mapped') || types.some((t) => line.includes(t)));
    });
    for (const col of columnDefinitions(lines, [...types, 'TIMESTAMP'])) {
      if (col.fromAnnotation) {
        findings.push({
          start: col.target.start,
          end: col.target.end,
          message: `'${col.target.text}' maps datetime to a naive DateTime; give it mapped_column(DateTime(timezone=True))`,
        });
        continue;
      }
      const type = col.type as readonly Token[];
      if (!types.includes(dottedName(type).at(-1) as string)) continue;
      const typeCall = callAt(type);
      const tz = typeCall?.keywords.get('timezone');
      if (tz && tz[0]?.text === 'True') continue;
      const nameEnd = (type[dottedName(type).length * 2 - 2] as Token).end;
      let fix: TextEdit[] | undefined;
      if (!typeCall) fix = [{ start: nameEnd, end: nameEnd, text: '(timezone=True)' }];
      else if (!tz && typeCall.positional.length === 0 && typeCall.keywords.size === 0)
        fix = [{ start: typeCall.close.start, end: typeCall.close.start, text: 'timezone=True' }];
      else if (tz && tz.length === 1 && tz[0]?.text === 'False') fix = [{ start: (tz[0] as Token).start, end: (tz[0] as Token).end, text: 'True' }];
      findings.push({
        start: (type[0] as Token).start,
        end: nameEnd,
        message: `'${col.target.text}' is a DateTime without timezone=True: it stores naive times`,
        ...(fix ? { fix } : {}),
      });
    }
    return findings;
  },
};
