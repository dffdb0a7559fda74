-- Retention: handled update ids and sent replies are deleted by age in small batches (these
-- indexes find the oldest without reading the table), and the photos a seller sent are
-- remembered per seller, so one seller cannot fill the disk with photos never ordered.
CREATE INDEX processed_updates_handled_idx ON processed_updates (handled_at);
CREATE INDEX outbox_sent_idx ON outbox (sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX jobs_finished_idx ON jobs (finished_at) WHERE finished_at IS NOT NULL;

CREATE TABLE photo_uploads (
  tg_user_id  INTEGER NOT NULL,
  name        TEXT NOT NULL,
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
  PRIMARY KEY (tg_user_id, name)
);
CREATE INDEX photo_uploads_name_idx ON photo_uploads (name);
