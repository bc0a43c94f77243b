// Tiny DOM helpers. Everything the page shows is built from these, so that candidate- and
// server-supplied text only ever becomes a text node: nothing is parsed as HTML (no innerHTML),
// which is what keeps an answer like `<img src=x onerror=…>` inert.

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * Creates an HTML element.
 *   props.class    → className
 *   props.testid   → data-testid (stable hooks for the browser test)
 *   props.onX      → addEventListener('x', fn)
 *   anything else  → setAttribute (skipped when null/undefined/false; `true` → empty attribute)
 * Children may be nodes, strings/numbers (become text nodes), arrays, or null (skipped).
 */
export function h(tag, props = {}, ...children) {
  return build(document.createElement(tag), props, children);
}

/** Same as h() for SVG elements (attributes such as x, y, width are presentation attributes). */
export function svg(tag, props = {}, ...children) {
  return build(document.createElementNS(SVG_NS, tag), props, children);
}

function build(el, props, children) {
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === 'class') el.setAttribute('class', value);
    else if (key === 'testid') el.setAttribute('data-testid', value);
    else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else el.setAttribute(key, value === true ? '' : String(value));
  }
  appendChildren(el, children);
  return el;
}

/** Appends children; plain values become text nodes (never markup). */
export function appendChildren(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces all children of `el`. */
export function replaceChildren(el, ...children) {
  el.replaceChildren();
  return appendChildren(el, children);
}

/** Clamps a number into [lo, hi]; NaN becomes lo. */
export function clamp(n, lo, hi) {
  const x = Number(n);
  if (!Number.isFinite(x)) return lo;
  return Math.min(hi, Math.max(lo, x));
}
