// Consent: the banner's latest decision, as its CustomEvent, its JS API
// or its localStorage entry carry it.
import { get } from './store.js'

/** EVENT is the CustomEvent the banner dispatches on document. */
export const EVENT = 'ashiato:consent'
/** KEY is where the banner keeps its latest decision in localStorage. */
export const KEY = 'ashiato_consent'

/** valid returns d when it is a decision that has not expired, else null. */
export const valid = (d) => (d?.granted && !(Date.parse(d.expires_at) <= Date.now()) ? d : null)

/** read returns the banner's current decision, which it keeps in localStorage (it also announces it with EVENT). */
export const read = () => {
  try {
    return valid(JSON.parse(get(KEY)))
  } catch {}
}

/** grants reports whether decision d grants purpose p. */
export const grants = (d, p) => !!d?.granted.includes(p)
