import { assignmentOf, callAt, dottedName, importedNames, type Call } from '../python/statements.js';
import { logicalLineRanges, tokenizeRange } from '../python/lines.js';
import type { LogicalLine, Token } from '../python/tokenize.js';
import type { BuiltinRule, RawFinding, TextEdit } from '../types.js';

const COLUMN_CALLS = new Set(['Column', 'mapped_column']);
const PY_FILES = ['**/*.py'];
const PY_EXCLUDE = ['**/migrations/**', '**/alembic/versions/**', '**/.venv/**', '**/venv/**', '**/site-packages/**'];

interface ColumnDef {
  readonly target: Token;
  readonly call?: Call;
  /** The explicit type's tokens, when the column names one. */
  readonly type?: readonly Token[];
  /** The type came from `Mapped[datetime]` (no explicit type). */
  readonly fromAnnotation: boolean;
  readonly annotation?: readonly Token[];
}

function isTimestampType(tokens: readonly Token[], types: readonly string[]): boolean {
  const name = dottedName(tokens);
  return name.length > 0 && types.includes(name.at(-1) as string);
}

/** `Mapped[datetime]`, `Mapped[Optional[datetime]]`, `Mapped[datetime | None]`, `Mapped["datetime.datetime"]`. */
function annotatedDatetime(annotation: readonly Token[] | undefined): boolean {
  if (!annotation || !annotation.some((t) => t.kind === 'name' && t.text === 'Mapped')) return false;
  const names = annotation.flatMap((t) =>
    t.kind === 'name' ? [t.text] : t.kind === 'string' ? t.text.replace(/^[^'"]*['"]+|['"]+$/g, '').split(/[.[\]| ,]+/) : [],
  );
  return names.includes('datetime') && !names.some((n) => n === 'date' || n === 'time' || n === 'timedelta');
}

/**
 * Names SQLAlchemy itself provides positionally to mapped_column() besides its
 * types: never a project's own type, even when reached through an alias
 * (`db.ForeignKey`) this module's imports do not show.
 */
const SQLALCHEMY_NAMES = new Set([
  'ForeignKey',
  'Sequence',
  'Identity',
  'Computed',
  'FetchedValue',
  'DefaultClause',
  'CheckConstraint',
  'String',
  'Text',
  'Unicode',
  'UnicodeText',
  'Integer',
  'BigInteger',
  'SmallInteger',
  'Numeric',
  'Float',
  'Double',
  'Boolean',
  'Date',
  'Time',
  'Interval',
  'Enum',
  'JSON',
  'LargeBinary',
  'PickleType',
  'Uuid',
  'UUID',
  'ARRAY',
  'DateTime',
  'TIMESTAMP',
  'DATETIME',
  'DATE',
  'TIME',
  'TypeDecorator',
]);

/** The names this module binds from SQLAlchemy: `from sqlalchemy[.x] import A as B` binds B, `import sqlalchemy as sa` binds sa. */
export function sqlalchemyBindings(lines: readonly LogicalLine[]): Set<string> {
  const out = new Set<string>();
  for (const line of lines) {
    if (line.indent !== 0) continue;
    const t = line.tokens.filter((x) => !(x.kind === 'op' && '(),'.includes(x.text)));
    if (t[0]?.text === 'from' && t[1]?.text === 'sqlalchemy') {
      const at = t.findIndex((x) => x.kind === 'name' && x.text === 'import');
      for (let i = at + 1; i < t.length; i++) {
        if (t[i + 1]?.text === 'as') {
          out.add((t[i + 2] as Token).text);
          i += 2;
        } else out.add((t[i] as Token).text);
      }
    } else if (t[0]?.text === 'import') {
      for (let i = 1; i < t.length; i++) {
        if (t[i]?.text !== 'sqlalchemy') continue;
        while (t[i + 1]?.text === '.') i += 2;
        if (t[i + 1]?.text === 'as') out.add((t[i + 2] as Token).text);
        else out.add('sqlalchemy');
      }
    }
  }
  return out;
}

/**
 * The column's type when it is the project's own (a TypeDecorator such as
 * `NaiveDateTime`): the first positional argument, a name not bound from
 * SQLAlchemy and not one of SQLAlchemy's own. Only asked when the annotation
 * says the column holds a datetime, so such a type is a timestamp type.
 */
function projectType(call: Call, fromSqlalchemy: ReadonlySet<string>): readonly Token[] | undefined {
  const first = call.positional[0];
  const name = first && first[0]?.kind === 'name' ? dottedName(first) : [];
  if (name.length === 0 || !/^[A-Z]/.test(name.at(-1) as string)) return undefined;
  if (fromSqlalchemy.has(name[0] as string) || SQLALCHEMY_NAMES.has(name.at(-1) as string)) return undefined;
  return first;
}

/** Every column definition in a module (class bodies and mixins alike). */
export function columnDefinitions(lines: readonly LogicalLine[], types: readonly string[]): ColumnDef[] {
  const out: ColumnDef[] = [];
  let fromSqlalchemy: Set<string> | undefined;
  for (const line of lines) {
    const a = assignmentOf(line);
    if (!a) continue;
    const call = a.value && a.value.length ? callAt(a.value) : undefined;
    if (call && COLUMN_CALLS.has(call.callee.at(-1) as string)) {
      const typeArg = call.positional.find((p) => isTimestampType(p, types)) ?? call.keywords.get('type_');
      const explicit = typeArg && isTimestampType(typeArg, types) ? typeArg : undefined;
      const anyType = call.positional.some((p) => p[0]?.kind === 'name' && /^[A-Z]/.test(dottedName(p).at(-1) ?? ''));
      if (explicit) out.push({ target: a.target, call, type: explicit, fromAnnotation: false, ...(a.annotation ? { annotation: a.annotation } : {}) });
      else if (call.callee.at(-1) === 'mapped_column' && annotatedDatetime(a.annotation)) {
        if (!anyType) out.push({ target: a.target, call, fromAnnotation: true, ...(a.annotation ? { annotation: a.annotation } : {}) });
        else {
          // `created_at: Mapped[datetime | None] = mapped_column(NaiveDateTime, …)`: the project's own datetime type.
          fromSqlalchemy ??= sqlalchemyBindings(lines);
          const own = projectType(call, fromSqlalchemy);
          if (own) out.push({ target: a.target, call, type: own, fromAnnotation: false, ...(a.annotation ? { annotation: a.annotation } : {}) });
        }
      }
    } else if (!a.value && annotatedDatetime(a.annotation)) {
      // `updated_at: Mapped[datetime]` with no column call at all: a column with every default.
      out.push({ target: a.target, fromAnnotation: true, ...(a.annotation ? { annotation: a.annotation } : {}) });
    }
  }
  return out;
}

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
 * wanted, and copying each one out cost more than the test), and the module's imports.
 */
function relevantLines(text: string, wanted: (text: string, start: number, end: number) => boolean): LogicalLine[] {
  const out: LogicalLine[] = [];
  for (const range of logicalLineRanges(text)) {
    const { start, end } = range;
    if (wanted(text, start, end) || (range.indent === 0 && (startsWithin(text, start, end, 'import ') || startsWithin(text, start, end, 'from ')))) {
      out.push(tokenizeRange(text, range));
    }
  }
  return out;
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
  check(_file, text, options) {
    const names = options['names'] as string[];
    const updated = options['updatedNames'] as string[];
    // Most files of a repo have no such column: a substring test saves reading them further.
    if (!names.some((n) => text.includes(n))) return [];
    const lines = relevantLines(text, (src, start, end) => names.some((n) => assigns(src, start, end, n)));
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
