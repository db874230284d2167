-- retention from the visits rollup (0040): weekly cohorts of consented visitors.
SELECT cohort, count() AS visitors, sumForEach(back) AS retained
FROM
(
    SELECT
        visitor_id,
        min(toMonday(start, '{tz}')) AS cohort,
        groupUniqArray(toRelativeWeekNum(start, '{tz}')) AS weeks,
        arrayReduce('min', weeks) AS first,
        arrayMap(k -> toUInt64(has(weeks, first + k)), range(5)) AS back
    FROM {db}.visits
    WHERE site_id = '{site}' AND day >= toDate(toDateTime({from}), 'UTC') AND day <= toDate(toDateTime({to}), 'UTC')
      AND start >= toDateTime({from}) AND start < toDateTime({to})
      AND version IN (SELECT max(version) FROM {db}.visits_days WHERE site_id = '{site}' GROUP BY day)
      AND visitor_id != '' AND country = 'JP'
    GROUP BY visitor_id
)
GROUP BY cohort
ORDER BY cohort
