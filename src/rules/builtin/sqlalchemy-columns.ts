/**
 * Where a module defines SQLAlchemy columns, and of what type: what the
 * sqlalchemy rules judge. Pure: tokens in, definitions out.
 */

import { assignmentOf, callAt, dottedName, type Call } from '../python/statements.js';
import type { LogicalLine, Token } from '../python/tokenize.js';

/** The calls that define a column. */
const COLUMN_CALLS = new Set(['Column', 'mapped_column']);

export interface ColumnDef {
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
