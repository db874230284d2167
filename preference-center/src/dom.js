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

export const button = (text, onclick) => h('button', { type: 'button', class: 'apc-b', onclick }, text);

// day formats an ISO time as a date in lang.
export const day = (iso, lang) => h('time', { datetime: iso }, new Date(iso).toLocaleDateString(lang === 'ja' ? 'ja-JP' : 'en-GB'));
