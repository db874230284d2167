// DOM helpers. h (create an element) is the banner's, bundled from
// consent-banner/src/dom.js so that there is one copy.
import { h } from '../../consent-banner/src/dom.js';

export { h };

export const button = (text, onclick) => h('button', { type: 'button', class: 'apc-b', onclick }, text);

// day formats an ISO time as a date in lang.
export const day = (iso, lang) => h('time', { datetime: iso }, new Date(iso).toLocaleDateString(lang === 'ja' ? 'ja-JP' : 'en-GB'));
