import { isMap, isScalar, parseDocument } from 'yaml';

/**
 * The user's YAML config with `plan: <rel>` set, every other byte as it was
 * (comments, quoting, flow lists: a round trip through the yaml library would
 * restyle them, so the text is spliced): the value replaced where the key
 * exists, else one commented line appended. Pure: text in, text out.
 */
export function withPlanKey(text: string, rel: string): { text: string } | { unchanged: true } | { problem: string } {
  const doc = parseDocument(text);
  if (doc.errors.length) return { problem: doc.errors[0]?.message ?? 'it does not parse' };
  const top = doc.contents;
  if (top !== null && (!isMap(top) || top.flow)) return { problem: 'its top level is not a block mapping' };
  const pair = top?.items.find((p) => isScalar(p.key) && p.key.value === 'plan');
  const quoted = /^[A-Za-z0-9_./-]+$/.test(rel) ? rel : JSON.stringify(rel);
  if (pair) {
    if (isScalar(pair.value) && pair.value.value === rel) return { unchanged: true };
    const range = isScalar(pair.value) ? pair.value.range : undefined;
    if (!range) return { problem: "its 'plan:' key has no plain value to replace" };
    return { text: text.slice(0, range[0]) + quoted + text.slice(range[1]) };
  }
  const sep = text === '' || text.endsWith('\n') ? '' : '\n';
  return { text: `${text}${sep}# Phases and gates planned by 'orchestra plan --request', added to this config's own.\nplan: ${quoted}\n` };
}
