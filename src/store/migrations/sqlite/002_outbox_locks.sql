-- Replies decided while handling an update are written here in the same transaction as the
-- update's effects, then sent; a crash between the two loses nothing.
CREATE TABLE outbox (
  id           INTEGER PRIMARY KEY,
  chat_id      INTEGER NOT NULL,
  method       TEXT NOT NULL,
  payload      TEXT NOT NULL CHECK (json_valid(payload)),
  priority     INTEGER NOT NULL DEFAULT 0,
  attempts     INTEGER NOT NULL DEFAULT 0,
  lease_owner  TEXT,
  lease_until  TEXT,
  next_try_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
  sent_at      TEXT,
  error        TEXT,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX outbox_pending_idx ON outbox (next_try_at) WHERE sent_at IS NULL;

-- Named leases: "one poller across all instances" and similar singletons.
CREATE TABLE locks (
  name   TEXT PRIMARY KEY,
  owner  TEXT NOT NULL,
  until  TEXT NOT NULL
);
