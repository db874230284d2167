-- retention: cohorts of consented visitors (visitor ID) by the week or
-- month of their first visit in the range, and how many of each cohort
-- came back in each following period (period 0 is the cohort itself): a
-- visitor is back in every period one of their visits has an event in,
-- which for a visit (cut at midnight UTC, so shorter than a period) is
-- the period of its start and of its end. Anonymous visitors cannot be
-- followed across days and are left out. The visits come from events
-- (visitrows_events.sql) and/or the rollup (visitrows_visits.sql).
-- (ClickHouse 18.16 reads no column for an identifier seen only inside a
-- lambda: "0 * length(periods)" names periods outside one.)
-- Parameters: site, from, to, wfrom, split, wto, rfrom (Unix seconds), tz,
-- periods, f<i>.
SELECT
    toString(cohort_start) AS cohort,
    count() AS visitors,
    sumForEach(back) AS retained
FROM
(
    SELECT
        s_vkey,
        min({{.Start}}(v_start, @tz)) AS cohort_start,
        groupUniqArrayArray([{{.Number}}(v_start, @tz), {{.Number}}(v_end, @tz)]) AS periods,
        arrayReduce('min', periods) AS first,
        arrayMap(k -> toUInt64(has(periods, first + k)), range(toUInt64(@periods) + 0 * length(periods))) AS back
    FROM
    (
{{.Visits}}
    )
    WHERE s_vkey != 0
    GROUP BY s_vkey
)
GROUP BY cohort
ORDER BY cohort
