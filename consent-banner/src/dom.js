// Small DOM helpers shared by the banner's layers.

// h creates an element; attributes with value true become empty attributes,
// false and null ones are left out, "on…" functions become listeners.
export function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const k in attrs) {
    const v = attrs[k];
    if (typeof v === 'function') e.addEventListener(k.slice(2), v);
    else if (v === true) e.setAttribute(k, '');
    else if (v != null && v !== false) e.setAttribute(k, v);
  }
  e.append(...kids.flat().filter((k) => k != null && k !== false));
  return e;
}

export const button = (cls, text, onclick) => h('button', { type: 'button', class: cls, onclick }, text);
export const link = (href, text) => href && h('a', { href, target: '_blank', rel: 'noopener' }, text);
