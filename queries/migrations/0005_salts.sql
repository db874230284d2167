-- salts: the daily salts of anonymous mode, shared by every collector
-- instance and destroyed when the day after their day starts.
CREATE TABLE IF NOT EXISTS {{.DB}}.salts {{.OnCluster}} (
    day     Date,
    salt    String,
    created DateTime
) ENGINE = {{.Engine "MergeTree"}}
ORDER BY (day, created, salt)
