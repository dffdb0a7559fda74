-- When the job entered its current state: per-state deadlines, the Market poll pace, and a
-- transient-error budget (attempts) that starts again in every state.
ALTER TABLE jobs ADD COLUMN state_since timestamptz;
-- Recorded just before a provider create and a sendVideo: a worker that finds one set without
-- its outcome knows the previous holder was cut off inside that call. The token lets the
-- creator save its task id even after losing the lease, until another worker creates again.
ALTER TABLE jobs ADD COLUMN create_started_at timestamptz;
ALTER TABLE jobs ADD COLUMN create_token text;
ALTER TABLE jobs ADD COLUMN send_started_at timestamptz;
