-- retention: cohorts of consented visitors (visitor ID) by the week or
-- month of their first visit in the range, and how many of each cohort
-- came back in each following period (period 0 is the cohort itself).
-- Anonymous visitors cannot be followed across days and are left out.
-- Parameters: site, from, to (Unix seconds), tz, periods, f<i>.
SELECT
    toString(cohort_start) AS cohort,
    count() AS visitors,
    sumForEach(back) AS retained
FROM
(
    SELECT
        visitor_id,
        min({{.Start}}(ts, @tz)) AS cohort_start,
        groupUniqArray({{.Number}}(ts, @tz)) AS periods,
        arrayReduce('min', periods) AS first,
        arrayMap(k -> toUInt64(has(periods, first + k)), range(@periods)) AS back
    FROM {{.DB}}.events
    WHERE site_id = @site AND is_bot = 0 AND visitor_id != ''
      AND ts >= toDateTime(@from) AND ts < toDateTime(@to)
{{- range .Filters}}
      AND {{.}}
{{- end}}
    GROUP BY visitor_id
)
GROUP BY cohort
ORDER BY cohort
