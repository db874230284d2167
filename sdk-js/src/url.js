// URL handling: the page URL that is sent, excluded paths, local hosts,
// option values.

/**
 * pageURL returns the URL to report: href without its fragment, unless hash
 * routing is on and the fragment is a route: one that starts with "#/" or
 * "#!/" ("#/cart?step=2"), which is kept whole, its query included. Any
 * other fragment is an in-page anchor ("#top") and is dropped.
 */
export const pageURL = (href, hash) => href.replace(hash ? /#(?!!?\/).*/ : /#.*/, '')

/**
 * glob turns a path pattern into a RegExp that matches whole paths: "*"
 * matches any run of characters, "/" included ("/blog/*" is everything
 * under /blog/). Only "." is escaped: pathnames carry no "?" and "#", and
 * other regular-expression characters in a pattern keep their meaning.
 */
export const glob = (p) => RegExp('^' + p.replace(/\./g, '\\.').replace(/\*/g, '.*') + '$')

/** isLocal reports whether a page on host is on a developer's machine. */
export const isLocal = (host) => /^(127\.|\[::1\])|localhost$/.test(host)

/** DOWNLOADS are the file extensions tracked as downloads by default (regular-expression alternatives). */
export const DOWNLOADS = 'pdf|csv|xlsx?|docx?|pptx?|zip|gz|dmg|exe|msi|apk|mp[34]'

/** on reads a boolean option: true, or a data- attribute that is present and not "false". */
export const on = (v) => /^(|true)$/.test(v)
