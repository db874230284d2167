// Type definitions for @ashiato/sdk.

/** Event properties: a flat object, at most 32 keys (key ≤ 64 chars, value ≤ 256 chars). */
export type Props = Record<string, string | number | boolean>

/** Options of init(); the IIFE reads the same options from data- attributes. */
export interface Options {
  /** Site ID configured in the collector (data-site). Required. */
  site: string
  /** Collector origin, e.g. "https://stats.example.com" (data-endpoint). Default: the page's origin (ESM) or the script's origin (IIFE). */
  endpoint?: string
  /** Report hash routes ("#/…" or "#!/…", with their query) and count route navigations; in-page anchors ("#top") are neither (data-hash). */
  hash?: boolean
  /** Path patterns never tracked; "*" matches within a segment, "**" across (data-exclude="/admin/**,/preview/*"). */
  exclude?: string[]
  /** No automatic pageviews or SPA tracking; call pageview() yourself (data-manual). */
  manual?: boolean
  /** Hold every hit until the banner's first decision (data-require-consent). */
  requireConsent?: boolean
  /** Track on localhost, 127.0.0.1, *.localhost and file: (data-allow-localhost). */
  allowLocalhost?: boolean
  /** Track browsers with navigator.webdriver; hits are flagged as bots (data-allow-webdriver). */
  allowWebdriver?: boolean
  /** File extensions tracked as downloads; regular-expression fragments allowed (data-downloads="pdf,zip"). Empty list: none. */
  downloads?: string[]
  /** Purpose whose grant allows identify(). Default "personalization" (data-identify-purpose). */
  identifyPurpose?: string
  /** Properties sent with every automatic pageview (data-prop-<key>="value"). */
  props?: Props
}

/** The tracker API; in the IIFE it is window.ashiato. */
export interface Tracker {
  /** Sends a custom event, e.g. track("signup", {plan: "pro"}), track("404"), track("purchase", {revenue: 1200, currency: "JPY"}). */
  track(name: string, props?: Props): void
  /** Sends a pageview of the current page, or of url (absolute). */
  pageview(options?: { url?: string; props?: Props }): void
  /**
   * Joins the user that the site's back end vouches for to the visitor when the decision grants
   * the identify purpose; returns whether it was sent. assertion: a JWT the back end signed with
   * the site's identify_key (docs/PRIVACY.md); a bare user ID only on sites that allow unsigned joins.
   */
  identify(assertion: string, traits?: Props): boolean
}

/** A decision of the consent banner (CustomEvent "ashiato:consent" detail, localStorage "ashiato_consent"). */
export interface ConsentDecision {
  granted: string[]
  token: string
  consent_id: string
  vid?: string
  revision: number
  method: string
  expires_at?: string
}

/** init starts tracking and returns the tracker. Call it once per page. */
export function init(options: Options): Tracker

declare global {
  interface Window {
    ashiato?: Tracker | { q: [keyof Tracker, unknown[]][] }
    ashiatoConsent?: { get(): ConsentDecision | null }
  }
  interface DocumentEventMap {
    'ashiato:consent': CustomEvent<ConsentDecision>
  }
}
