-- journeys from the visits rollup (0040): the pages before and after /cart
-- in the visits' page sequences.
SELECT tupleElement(step, 1) AS direction, tupleElement(step, 2) AS page, count() AS transitions
FROM
(
    SELECT arrayJoin(arrayMap(i -> [('previous', if(i = 1, '(entrance)', pages[i - 1])), ('next', if(i = length(pages), '(exit)', pages[i + 1]))],
        arrayFilter(i -> pages[i] = '/cart', arrayEnumerate(pages)))) AS steps
    FROM {db}.visits
    WHERE site_id = '{site}' AND day >= toDate(toDateTime({from}), 'UTC') AND day <= toDate(toDateTime({to}), 'UTC')
      AND start >= toDateTime({from}) AND start < toDateTime({to})
      AND version IN (SELECT max(version) FROM {db}.visits_days WHERE site_id = '{site}' GROUP BY day)
      AND country = 'JP' AND has(pages, '/cart')
)
ARRAY JOIN steps AS step
GROUP BY direction, page
ORDER BY direction DESC, transitions DESC
LIMIT 5 BY direction
