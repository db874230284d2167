package seed

import "strconv"

// The catalog is the made-up shop that seeded traffic visits: its pages
// and how visitors move between them, where they come from, and the
// events they fire. Weights are relative.

// page is one kind of page of the seeded site.
type page struct {
	path  string // "%d" is replaced by an item number
	title string
	items int // how many items "%d" ranges over (Zipf-distributed); 0: none
}

// Page kinds, the indexes of pages.
const (
	pgHome = iota
	pgProducts
	pgProduct
	pgCart
	pgCheckout
	pgThanks
	pgPricing
	pgBlog
	pgPost
	pgDocs
	pgAbout
	pgContact
	pgSearch
	pgJaProduct
)

var pages = []page{
	pgHome:      {path: "/", title: "Demo shop — ホーム"},
	pgProducts:  {path: "/products", title: "商品一覧 | Demo shop"},
	pgProduct:   {path: "/products/%d", title: "Product %d | Demo shop", items: 500},
	pgCart:      {path: "/cart", title: "Cart | Demo shop"},
	pgCheckout:  {path: "/checkout", title: "Checkout | Demo shop"},
	pgThanks:    {path: "/thank-you", title: "ありがとうございました"},
	pgPricing:   {path: "/pricing", title: "Pricing | Demo shop"},
	pgBlog:      {path: "/blog", title: "ブログ | Demo shop"},
	pgPost:      {path: "/blog/post-%d", title: "ブログ記事 %d", items: 200},
	pgDocs:      {path: "/docs/guide-%d", title: "Guide %d | Docs", items: 40},
	pgAbout:     {path: "/about", title: "About us"},
	pgContact:   {path: "/contact", title: "お問い合わせ"},
	pgSearch:    {path: "/search", title: "Search results"},
	pgJaProduct: {path: "/ja/products/%d", title: "商品 %d", items: 100},
}

// next[k] are the pages a visitor goes to from a page of kind k, with
// weights. The shop's funnel is product → cart → checkout → thank-you.
var next = [][]choice{
	pgHome:      {{pgProducts, 30}, {pgProduct, 20}, {pgPricing, 12}, {pgBlog, 10}, {pgAbout, 5}, {pgSearch, 8}, {pgDocs, 5}, {pgJaProduct, 5}},
	pgProducts:  {{pgProduct, 70}, {pgSearch, 10}, {pgHome, 10}, {pgCart, 5}},
	pgProduct:   {{pgProduct, 40}, {pgCart, 18}, {pgProducts, 20}, {pgHome, 8}, {pgPricing, 4}},
	pgCart:      {{pgCheckout, 55}, {pgProduct, 30}, {pgHome, 10}},
	pgCheckout:  {{pgThanks, 45}, {pgCart, 30}, {pgHome, 10}},
	pgThanks:    {{pgHome, 50}, {pgProducts, 30}, {pgBlog, 10}},
	pgPricing:   {{pgProducts, 30}, {pgContact, 15}, {pgDocs, 20}, {pgHome, 20}},
	pgBlog:      {{pgPost, 80}, {pgHome, 15}},
	pgPost:      {{pgPost, 40}, {pgProduct, 20}, {pgBlog, 20}, {pgHome, 15}},
	pgDocs:      {{pgDocs, 60}, {pgPricing, 15}, {pgHome, 15}},
	pgAbout:     {{pgContact, 30}, {pgHome, 50}, {pgPricing, 10}},
	pgContact:   {{pgHome, 60}, {pgAbout, 20}},
	pgSearch:    {{pgProduct, 75}, {pgSearch, 10}, {pgHome, 10}},
	pgJaProduct: {{pgJaProduct, 50}, {pgProduct, 20}, {pgCart, 15}, {pgHome, 10}},
}

// entries are the pages visits start on.
var entries = []choice{{pgHome, 40}, {pgProduct, 20}, {pgPost, 15}, {pgPricing, 6}, {pgDocs, 6}, {pgProducts, 6}, {pgJaProduct, 5}, {pgAbout, 2}}

// source is where a visit comes from: a referrer and campaign tags, with the
// enriched fields precomputed once (see newCatalog).
type source struct {
	referrer string // full referrer URL as the browser sends it; "" direct
	utm      [5]string
	clickID  string // click-ID parameter name (gclid, fbclid), "" none
	weight   int
	// Filled in by newCatalog from the collector's own classification.
	refHost, refPath, refSource, refName string
}

var sources = []source{
	{weight: 300},
	{referrer: "https://www.google.com/", weight: 220},
	{referrer: "https://www.google.co.jp/", weight: 120},
	{referrer: "https://search.yahoo.co.jp/search", weight: 60},
	{referrer: "https://www.bing.com/search", weight: 25},
	{referrer: "https://duckduckgo.com/", weight: 8},
	{referrer: "https://t.co/x1y2z3", weight: 35},
	{referrer: "https://www.facebook.com/", weight: 25},
	{referrer: "https://www.instagram.com/", weight: 20},
	{referrer: "https://www.youtube.com/", weight: 12},
	{referrer: "https://news.ycombinator.com/item", weight: 6},
	{referrer: "https://b.hatena.ne.jp/entry/s/shop.example", weight: 10},
	{referrer: "https://qiita.com/someone/items/abc", weight: 8},
	{referrer: "https://partner-blog.example.org/review", weight: 10},
	{utm: [5]string{"newsletter", "email", "spring_sale", "", "header"}, weight: 30},
	{utm: [5]string{"newsletter", "email", "winter_sale", "", "footer"}, weight: 20},
	{referrer: "https://www.google.com/", utm: [5]string{"google", "cpc", "brand", "demo shop", "ad1"}, clickID: "gclid", weight: 40},
	{referrer: "https://www.google.com/", utm: [5]string{"google", "cpc", "generic", "buy shoes", "ad2"}, clickID: "gclid", weight: 25},
	{referrer: "https://www.facebook.com/", utm: [5]string{"facebook", "paid_social", "spring_sale", "", "video"}, clickID: "fbclid", weight: 20},
	{referrer: "https://t.co/abc", utm: [5]string{"twitter", "social", "launch", "", ""}, weight: 10},
}

// choice is a weighted option: an index and its weight.
type choice struct{ v, w int }

// country is a visitor's country with its languages and share.
type country struct {
	code   string
	langs  []string
	weight int
}

var countries = []country{
	{"JP", []string{"ja", "ja-JP", "ja-JP", "en-US"}, 560},
	{"US", []string{"en-US", "en-US", "es-US"}, 140},
	{"KR", []string{"ko-KR", "ko"}, 40},
	{"TW", []string{"zh-TW"}, 35},
	{"CN", []string{"zh-CN"}, 30},
	{"GB", []string{"en-GB"}, 30},
	{"DE", []string{"de-DE", "de"}, 25},
	{"FR", []string{"fr-FR"}, 20},
	{"SG", []string{"en-SG", "zh-SG"}, 15},
	{"AU", []string{"en-AU"}, 15},
	{"CA", []string{"en-CA", "fr-CA"}, 15},
	{"IN", []string{"en-IN", "hi-IN"}, 20},
	{"BR", []string{"pt-BR"}, 15},
	{"TH", []string{"th-TH"}, 10},
	{"", []string{"en"}, 15}, // unknown country
}

// Screens by device type.
var (
	desktopScreens = []string{"1920x1080", "1536x864", "1366x768", "2560x1440", "1440x900", "1280x720"}
	mobileScreens  = []string{"390x844", "393x873", "414x896", "360x800", "375x667", "412x915"}
	tabletScreens  = []string{"810x1080", "820x1180", "768x1024", "800x1280"}
)

// Custom events: names and their properties.
var (
	plans      = []string{"free", "pro", "team"}
	currencies = []string{"JPY", "USD"}
	files      = []string{"catalog.pdf", "price-list.xlsx", "manual.pdf"}
	outbound   = []string{"https://partner.example.net/", "https://twitter.com/demo", "https://github.com/demo"}
)

// itoa is strconv.Itoa, short.
func itoa(n int) string { return strconv.Itoa(n) }
