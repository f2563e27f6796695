-- When the quality manager was sent the digest before a survey closes, so
-- that it goes out once whatever the number of replicas and restarts.
alter table surveys add column digest_sent_at timestamptz;
