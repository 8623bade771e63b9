// @ts-check
// The graph's layout: a column per depth (a node sits one column right of the
// deepest node it needs), rows in the order the run listed them. Pure, so the
// tests check it in Node; app.js draws the result as SVG.

export const NODE_W = 180;
export const NODE_H = 44;
const GAP_X = 60;
const GAP_Y = 16;

/** @param {{id: string, needs: string[]}[]} nodes */
export function layout(nodes) {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  /** @type {Map<string, number>} */
  const depth = new Map();
  /** @param {string} id @param {Set<string>} path @returns {number} */
  const depthOf = (id, path) => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const n = byId.get(id);
    if (!n || path.has(id)) return 0; // a record from a bad run: draw it anyway
    path.add(id);
    const d = n.needs.reduce((/** @type {number} */ m, need) => Math.max(m, byId.has(need) ? depthOf(need, path) + 1 : 0), 0);
    path.delete(id);
    depth.set(id, d);
    return d;
  };
  /** @type {number[]} */
  const rows = [];
  /** @type {Map<string, {x: number, y: number}>} */
  const at = new Map();
  for (const n of nodes) {
    const col = depthOf(n.id, new Set());
    const row = rows[col] ?? 0;
    rows[col] = row + 1;
    at.set(n.id, { x: col * (NODE_W + GAP_X), y: row * (NODE_H + GAP_Y) });
  }
  const edges = nodes.flatMap((n) => n.needs.filter((m) => at.has(m)).map((m) => ({ from: m, to: n.id })));
  const width = Math.max(1, rows.length) * (NODE_W + GAP_X) - GAP_X;
  const height = Math.max(1, ...rows) * (NODE_H + GAP_Y) - GAP_Y;
  return { at, edges, width, height };
}

/** An edge from the right side of one box to the left side of another, as an SVG path. @param {{x: number, y: number}} a @param {{x: number, y: number}} b */
export function edgePath(a, b) {
  const x1 = a.x + NODE_W;
  const y1 = a.y + NODE_H / 2;
  const x2 = b.x;
  const y2 = b.y + NODE_H / 2;
  const mid = (x1 + x2) / 2;
  return `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`;
}
