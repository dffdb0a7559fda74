-- NeuroCards schema, SQLite. Same tables and names as PostgreSQL; timestamps are UTC text
-- 'YYYY-MM-DD HH:MM:SS.SSS', which sorts and compares correctly.
CREATE TABLE users (
  id          INTEGER PRIMARY KEY,
  tg_user_id  INTEGER NOT NULL UNIQUE,
  username    TEXT,
  language    TEXT NOT NULL DEFAULT 'ru',
  credits     INTEGER NOT NULL DEFAULT 0 CHECK (credits >= 0),
  blocked_at  TEXT,
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);

CREATE TABLE jobs (
  -- A random version-4 UUID, as PostgreSQL's gen_random_uuid() gives.
  id                 TEXT PRIMARY KEY DEFAULT (lower(hex(randomblob(4)) || '-' ||
                       hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' ||
                       substr('89ab', 1 + (abs(random()) % 4), 1) ||
                       substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
  user_id            INTEGER NOT NULL REFERENCES users (id),
  tg_user_id         INTEGER NOT NULL,
  idempotency_key    TEXT NOT NULL UNIQUE,
  batch_id           TEXT,
  batch_index        INTEGER NOT NULL DEFAULT 1,
  batch_size         INTEGER NOT NULL DEFAULT 1,
  kind               TEXT NOT NULL DEFAULT 'reels',
  template_id        TEXT NOT NULL DEFAULT 'self',
  model              TEXT,
  input_photo_path   TEXT,
  product_info       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(product_info)),
  status             TEXT NOT NULL DEFAULT 'queued' CHECK (status IN
                       ('queued', 'submitting', 'generating', 'delivering', 'done', 'failed',
                        'cancelled')),
  attempts           INTEGER NOT NULL DEFAULT 0,
  next_run_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
  lease_owner        TEXT,
  lease_until        TEXT,
  provider           TEXT,
  provider_task_id   TEXT,
  provider_input_url TEXT,
  result_url         TEXT,
  result_path        TEXT,
  tg_message_id      INTEGER,
  delivered          INTEGER,
  error              TEXT,
  created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
  updated_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
  finished_at        TEXT
);
CREATE INDEX jobs_due_idx ON jobs (next_run_at)
  WHERE status IN ('queued', 'submitting', 'generating', 'delivering');
CREATE INDEX jobs_user_idx ON jobs (tg_user_id, created_at DESC);
CREATE INDEX jobs_batch_idx ON jobs (batch_id);

CREATE TABLE credit_ledger (
  id              INTEGER PRIMARY KEY,
  user_id         INTEGER NOT NULL REFERENCES users (id),
  delta           INTEGER NOT NULL CHECK (delta <> 0),
  reason          TEXT NOT NULL CHECK (reason IN
                    ('grant', 'charge', 'refund', 'purchase', 'promo', 'adjust')),
  job_id          TEXT REFERENCES jobs (id),
  idempotency_key TEXT NOT NULL UNIQUE,
  note            TEXT,
  created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX credit_ledger_user_idx ON credit_ledger (user_id, id DESC);

CREATE TABLE conversations (
  tg_user_id  INTEGER PRIMARY KEY,
  state       TEXT NOT NULL,
  data        TEXT NOT NULL DEFAULT '{}',
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);

CREATE TABLE processed_updates (
  update_id   INTEGER PRIMARY KEY,
  handled_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);

CREATE TABLE settings (
  key         TEXT PRIMARY KEY,
  value       TEXT NOT NULL,
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
