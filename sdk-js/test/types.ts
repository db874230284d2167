// Compile-time check of the published types (npm run typecheck).
import { init, type ConsentDecision, type Tracker } from '../src/index.js'

const a: Tracker = init({ site: 'demo', endpoint: 'https://stats.example.com', hash: true, exclude: ['/admin/*'], props: { author: 'ann' } })
a.track('purchase', { revenue: 1200, currency: 'JPY', first: true })
a.pageview({ url: 'https://shop.example.com/virtual' })
const sent: boolean = a.identify('cust-1', { tier: 'gold' })
document.addEventListener('ashiato:consent', (e) => {
  const d: ConsentDecision = e.detail
  console.log(d.granted.includes('analytics'), d.vid, sent)
})
window.ashiatoConsent?.get()?.token.toUpperCase()
