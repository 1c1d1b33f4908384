// Building the lake page's elements: text is always appended as text, never parsed as HTML (values come from the lake).

export const $ = (id) => document.getElementById(id);

export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  return node;
}
export const fmt = (v) => (typeof v === 'number' ? v.toLocaleString('en-US') : v === null || v === undefined ? '–' : typeof v === 'object' ? JSON.stringify(v) : String(v));
// builtAtIso is "built at": the page shows every time as ISO text, so the suffix says nothing.
export const label = (name) => name.replace(/(.)Iso$/, '$1').replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();
