-- event.lua — wrk script for `make bench`: POST /api/event with realistic
-- bodies, a unique event ID per request, and a User-Agent mix drawn from
-- the file in $BENCH_UAS (one per line, `loadgen uas` writes it): a
-- log-uniform (Zipf-like) draw over the list, plus $BENCH_NEW_UA (default
-- 0.03) of requests with a never-seen UA (a browser string with a unique
-- build suffix). Same generator as cmd/loadgen.
--
--   BENCH_UAS=uas.txt wrk -t2 -c50 -d10s -s deploy/bench/event.lua http://127.0.0.1:8080/api/event

local threads = {}
local counter = 0

function setup(thread)
	counter = counter + 1
	thread:set("id", counter)
	table.insert(threads, thread)
end

local uas = {}
local nuas = 0
local newshare = tonumber(os.getenv("BENCH_NEW_UA") or "0.03")
-- Globals, so that done() can read them from each thread.
seq = 0
newcount = 0
local logn = 0

local pages = {"/", "/products/%d", "/products/%d?utm_source=news&utm_medium=email&utm_campaign=spring",
	"/blog/post-%d", "/cart", "/checkout", "/search?q=item+%d", "/about", "/ja/products/%d?ref=top"}
local referrers = {"", "", "https://www.google.com/", "https://www.google.co.jp/", "https://t.co/abc123",
	"https://www.bing.com/search?q=shop", "https://search.yahoo.co.jp/search?p=shop", "http://localhost/",
	"https://news.ycombinator.com/item?id=1", "https://www.facebook.com/"}
local titles = {"商品一覧 | デモショップ", "Product %d — Demo shop", "ブログ: 新しいお知らせ %d", "Cart", "ホーム"}
local screens = {"1920x1080", "1366x768", "390x844", "414x896", "1536x864", "2560x1440", "360x800"}
local langs = {"ja", "ja-JP", "en-US", "en", "zh-CN", "ko"}
local plans = {"free", "pro", "team"}

local function pick(t) return t[math.random(#t)] end

function init(args)
	local path = os.getenv("BENCH_UAS")
	if not path then error("set BENCH_UAS to a User-Agent list") end
	for line in io.lines(path) do
		if line ~= "" then
			nuas = nuas + 1
			uas[nuas] = line
		end
	end
	logn = math.log(nuas + 1)
	math.randomseed(os.time() * 1000 + (id or 0) * 7919)
	-- wrk calls request() once per request; the run ID keeps event IDs unique
	-- across threads and runs.
	run = string.format("%08x%02x", math.random(0, 0x7fffffff), id or 0)
end

local function ua()
	if math.random() < newshare then
		newcount = newcount + 1
		return uas[math.random(math.min(nuas, 200))] ..
			string.format(" Build/%d.%d", math.random(0, 0x7fffffff), seq)
	end
	local i = math.floor(math.exp(math.random() * logn))
	if i < 1 then i = 1 elseif i > nuas then i = nuas end
	return uas[i]
end

local headers = {["Content-Type"] = "text/plain;charset=UTF-8", ["Origin"] = "http://localhost:3000",
	["Accept"] = "*/*", ["Accept-Language"] = "ja,en-US;q=0.9"}

function request()
	seq = seq + 1
	local kind = math.random(20)
	local typ
	if kind == 1 then
		typ = 'event","name":"signup"'
	elseif kind == 2 then
		typ = string.format('engagement","engaged_ms":%d,"scroll":%d', math.random(0, 599999), math.random(0, 100))
	else
		typ = 'pageview"'
	end
	local n = math.random(0, 4999)
	local body = '{"site":"demo","type":"' .. typ ..
		',"url":"http://localhost' .. string.format(pick(pages), n) ..
		'","referrer":"' .. pick(referrers) ..
		'","title":"' .. string.format(pick(titles), n) ..
		'","screen":"' .. pick(screens) ..
		'","lang":"' .. pick(langs) ..
		'","eid":"' .. run .. "-" .. string.format("%x", seq) ..
		'","props":{"plan":"' .. pick(plans) .. '","ab":"' .. (math.random(2) == 1 and "a" or "b") ..
		'","logged_in":' .. (math.random(3) == 1 and "true" or "false") .. '}}'
	headers["User-Agent"] = ua()
	return wrk.format("POST", nil, headers, body)
end

function done(summary, latency, requests)
	local total, new = 0, 0
	for _, t in ipairs(threads) do
		total = total + (t:get("seq") or 0)
		new = new + (t:get("newcount") or 0)
	end
	if total > 0 then
		io.write(string.format("new_ua_share %.4f of %d requests\n", new / total, total))
	end
end
