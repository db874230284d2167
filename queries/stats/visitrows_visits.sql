-- visitrows_visits: the rows of visitrows_events.sql from the visits
-- rollup: each visit that started in [from, min(to, split)).
-- Where: rollup_where.sql. Parameters: site, from, to, rfrom (a UTC
-- midnight), split (Unix seconds), f<i>.
SELECT
    vkey AS s_vkey,
    visitor_hash AS s_vhash,
    start AS v_start,
    end AS v_end
{{- if eq .Slice "items"}},
    arraySort(x -> (tupleElement(x, 1), tupleElement(x, 2), tupleElement(x, 3)),
        arrayConcat(arrayMap((t, p) -> (t, toUInt8(0), p), page_ts, pages), arrayMap((t, n) -> (t, toUInt8(1), n), event_ts, event_list))) AS items
{{- end}}
FROM {{.DB}}.visits
{{.Where}}
