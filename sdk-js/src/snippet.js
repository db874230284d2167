// IIFE entry, served as /s.js:
// <script defer src="https://stats.example.com/s.js" data-site="demo"></script>
// The tracker reads only the option names it knows (the allowlist in
// index.d.ts) from the dataset; data-props holds pageview props as JSON.
import { init } from './tracker.js'

const s = document.currentScript
const d = s.dataset
const stub = window.ashiato
const api = (window.ashiato = init({ endpoint: new URL(s.src).origin, ...d, props: d.props && JSON.parse(d.props) }))
for (const [m, a] of stub?.q || []) api[m](...a)
