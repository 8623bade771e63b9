// @ts-check
// The graph's layout and view. Each phase is a band, one under the other (a
// long run grows down, not past the detail panel); inside a band a node sits
// one column right of the deepest node of its band it needs, rows in the
// order the run listed them. A band can be collapsed to its header. The view
// (pan, zoom, fit, bring a node into sight) is a viewBox worked out here.
// Pure, so the tests check it in Node; app.js draws the result as SVG.

export const NODE_W = 180;
export const NODE_H = 44;
const GAP_X = 48;
const GAP_Y = 12;
export const BAND_HEAD = 24;
const BAND_GAP = 16;

/** @typedef {{x: number, y: number, w: number, h: number}} Box */
/** @typedef {{key: string, label: string, y: number, height: number, ids: string[], collapsed: boolean}} Band */

/**
 * @param {{id: string, needs: string[], phase?: string|null}[]} nodes
 * @param {Set<string>} [collapsed] the bands (phase ids; '' for the run's own gates) shown as their header only
 */
export function layout(nodes, collapsed = new Set()) {
  /** @type {Map<string, string[]>} */
  const members = new Map();
  for (const n of nodes) {
    const key = n.phase ?? '';
    members.set(key, [...(members.get(key) ?? []), n.id]);
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const bandOf = (/** @type {string} */ id) => byId.get(id)?.phase ?? '';
  /** @type {Map<string, number>} */
  const depth = new Map();
  /** @param {string} id @param {Set<string>} path @returns {number} */
  const depthOf = (id, path) => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const n = byId.get(id);
    if (!n || path.has(id)) return 0; // a record from a bad run: draw it anyway
    path.add(id);
    const d = n.needs.reduce((/** @type {number} */ m, need) => Math.max(m, byId.has(need) && bandOf(need) === bandOf(id) ? depthOf(need, path) + 1 : 0), 0);
    path.delete(id);
    depth.set(id, d);
    return d;
  };
  /** @type {Map<string, {x: number, y: number}>} */
  const at = new Map();
  /** @type {Band[]} */
  const bands = [];
  let y = 0;
  let width = NODE_W;
  for (const [key, ids] of members) {
    const isCollapsed = collapsed.has(key);
    const top = y;
    y += BAND_HEAD;
    /** @type {number[]} */
    const rows = [];
    if (!isCollapsed) {
      for (const id of ids) {
        const col = depthOf(id, new Set());
        const row = rows[col] ?? 0;
        rows[col] = row + 1;
        at.set(id, { x: col * (NODE_W + GAP_X), y: y + row * (NODE_H + GAP_Y) });
      }
      width = Math.max(width, rows.length * (NODE_W + GAP_X) - GAP_X);
      y += Math.max(1, ...rows) * (NODE_H + GAP_Y) - GAP_Y;
    }
    bands.push({ key, label: key || 'gates', y: top, height: y - top, ids, collapsed: isCollapsed });
    y += BAND_GAP;
  }
  const edges = nodes.flatMap((n) => (at.has(n.id) ? n.needs.filter((m) => at.has(m)).map((m) => ({ from: m, to: n.id })) : []));
  return { at, edges, bands, width, height: Math.max(NODE_H, y - BAND_GAP) };
}

/**
 * An edge as an SVG path: right side to left side within a band; from the
 * bottom of one box to the top of the other between bands.
 * @param {{x: number, y: number}} a @param {{x: number, y: number}} b
 */
export function edgePath(a, b) {
  if (b.y >= a.y + NODE_H + GAP_Y && b.x <= a.x) {
    const x1 = a.x + NODE_W / 2;
    const y1 = a.y + NODE_H;
    const x2 = b.x + NODE_W / 2;
    const y2 = b.y;
    const mid = (y1 + y2) / 2;
    return `M${x1},${y1} C${x1},${mid} ${x2},${mid} ${x2},${y2}`;
  }
  const x1 = a.x + NODE_W;
  const y1 = a.y + NODE_H / 2;
  const x2 = b.x;
  const y2 = b.y + NODE_H / 2;
  const mid = (x1 + x2) / 2;
  return `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`;
}

const PAD = 8;

/**
 * The view that shows the whole graph in a pane of paneW × paneH pixels, never
 * drawn larger than life, with the pane's proportions (so that what the box
 * says is visible is what is).
 * @param {number} width @param {number} height @param {number} paneW @param {number} paneH @returns {Box}
 */
export function fitView(width, height, paneW, paneH) {
  const pw = Math.max(1, paneW);
  const ph = Math.max(1, paneH);
  const scale = Math.max(1, (width + 2 * PAD) / pw, (height + 2 * PAD) / ph);
  return { x: -PAD, y: -PAD, w: pw * scale, h: ph * scale };
}

/**
 * Zoomed by `factor` (>1: closer) around the point (fx, fy), given as fractions of the view.
 * @param {Box} v @param {number} factor @param {number} fx @param {number} fy @returns {Box}
 */
export function zoomView(v, factor, fx = 0.5, fy = 0.5) {
  const f = Math.min(8, Math.max(1 / 8, factor));
  const w = v.w / f;
  const h = v.h / f;
  return { x: v.x + (v.w - w) * fx, y: v.y + (v.h - h) * fy, w, h };
}

/**
 * The view moved (not zoomed) the least that puts the box wholly in sight; if
 * it cannot fit, centred on it.
 * @param {Box} v @param {{x: number, y: number}} p the node's corner @returns {Box}
 */
export function revealIn(v, p) {
  const m = PAD;
  const axis = (/** @type {number} */ start, /** @type {number} */ size, /** @type {number} */ at, /** @type {number} */ len) => {
    if (len + 2 * m > size) return at + len / 2 - size / 2;
    if (at - m < start) return at - m;
    if (at + len + m > start + size) return at + len + m - size;
    return start;
  };
  return { ...v, x: axis(v.x, v.w, p.x, NODE_W), y: axis(v.y, v.h, p.y, NODE_H) };
}
