-- retention: weekly cohorts of consented visitors.
SELECT cohort, count() AS visitors, sumForEach(back) AS retained
FROM
(
    SELECT
        visitor_id,
        min(toMonday(ts, '{tz}')) AS cohort,
        groupUniqArray(toRelativeWeekNum(ts, '{tz}')) AS weeks,
        arrayReduce('min', weeks) AS first,
        arrayMap(k -> toUInt64(has(weeks, first + k)), range(5)) AS back
    FROM {db}.events
    WHERE site_id = '{site}' AND is_bot = 0 AND visitor_id != ''
      AND ts >= toDateTime({from}) AND ts < toDateTime({to}) AND country = 'JP'
    GROUP BY visitor_id
)
GROUP BY cohort
ORDER BY cohort
