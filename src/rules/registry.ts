import { filesExist, noConflictMarkers, noPlaceholder, noTodo } from './builtin/hygiene.js';
import { timestampServerDefault, timezoneAware } from './builtin/sqlalchemy.js';
import type { BuiltinRule } from './types.js';

/** Every builtin rule, by id. A preset's gate names one with `rule:`. */
export const BUILTIN_RULES: ReadonlyMap<string, BuiltinRule> = new Map(
  [timestampServerDefault, timezoneAware, noTodo, noPlaceholder, noConflictMarkers, filesExist].map((r) => [r.id, r]),
);
