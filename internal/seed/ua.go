package seed

import (
	"bufio"
	"fmt"
	"os"

	"github.com/ashiato/ashiato/collector/enrich"
	"github.com/ashiato/ashiato/internal/uacorpus"
)

// device is a real User-Agent string with what the collector's own parser
// (collector/enrich) makes of it: the seeded rows carry the families a
// real hit with that User-Agent would get.
type device struct {
	ua     string
	info   enrich.UAInfo
	weight int
}

// humanUAs are real browser User-Agents with a rough share of traffic on a
// Japanese shop; botUAs are real crawlers.
var humanUAs = []struct {
	ua string
	w  int
}{
	{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", 260},
	{"Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1", 60},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", 200},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 Edg/125.0.0.0", 70},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0", 25},
	{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15", 60},
	{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", 70},
	{"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36", 150},
	{"Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36", 20},
	{"Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", 40},
	{"Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", 10},
	{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", 10},
	{"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0", 5},
	{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1", 15},
	{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Line/14.9.0", 15},
}

var botUAs = []struct {
	ua string
	w  int
}{
	{"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 40},
	{"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", 20},
	{"Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", 15},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36", 15},
	{"Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", 10},
}

// devices parses the User-Agents with the collector's parser. With corpus
// files (one User-Agent a line, as in ../shared/data/user-agents) those
// replace the built-in browsers, each with the same weight; crawlers among
// them become bots.
func devices(corpus []string) (humans, bots []device, err error) {
	en, err := enrich.New(enrich.Config{UACacheSize: 1 << 16, UAWorkers: 1, UAQueueSize: 16}, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("user-agent parser: %w", err)
	}
	defer en.Close()
	add := func(ua string, w int) {
		d := device{ua: ua, info: en.UA(ua), weight: w}
		if d.info.IsBot {
			bots = append(bots, d)
		} else {
			humans = append(humans, d)
		}
	}
	if len(corpus) == 0 {
		for _, u := range humanUAs {
			add(u.ua, u.w)
		}
	}
	for _, path := range corpus {
		if err := eachLine(path, func(ua string) { add(ua, 1) }); err != nil {
			return nil, nil, err
		}
	}
	for _, u := range botUAs {
		add(u.ua, u.w)
	}
	if len(humans) == 0 {
		return nil, nil, fmt.Errorf("user-agent corpus %v: no browser User-Agents", corpus)
	}
	return humans, bots, nil
}

// eachLine calls f with the User-Agent of every non-empty line of a file.
func eachLine(path string, f func(string)) error {
	fh, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("user-agent corpus: %w", err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if ua := uacorpus.Line(sc.Text()); ua != "" && ua[0] != '#' {
			f(ua)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("user-agent corpus %s: %w", path, err)
	}
	return nil
}
