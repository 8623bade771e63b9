/**
 * Appends every item of `items` to `target`. Not `target.push(...items)`:
 * spread passes each item as an argument, and a few hundred thousand of them
 * (the diagnostics of a 100,000-gate config with mistakes) overflow the stack.
 */
export function pushAll<T>(target: T[], items: Iterable<T>): void {
  for (const item of items) target.push(item);
}
