package requests

import "time"

// Deadline returns the date by which a request filed at filed is answered:
// the filing date in the site's time zone loc plus days calendar days
// (Japan's APPI asks that disclosure and stop-of-use requests be answered
// "without delay"; the site configures how many days that means for it,
// preferences.request_deadline_days, default 14). The result is that date
// at midnight UTC, as a ClickHouse Date column keeps it.
func Deadline(filed time.Time, loc *time.Location, days int) time.Time {
	y, m, d := filed.In(loc).Date()
	return time.Date(y, m, d+days, 0, 0, 0, 0, time.UTC)
}
