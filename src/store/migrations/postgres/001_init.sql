-- NeuroCards schema, PostgreSQL. Column names follow the earlier system so its manual SQL
-- (INSERT INTO jobs ... 'queued') still works.
CREATE TABLE users (
  id          bigserial PRIMARY KEY,
  tg_user_id  bigint NOT NULL UNIQUE,
  username    text,
  language    text NOT NULL DEFAULT 'ru',
  credits     integer NOT NULL DEFAULT 0 CHECK (credits >= 0),
  blocked_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE jobs (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id            bigint NOT NULL REFERENCES users (id),
  tg_user_id         bigint NOT NULL,
  idempotency_key    text NOT NULL UNIQUE,
  batch_id           text,
  batch_index        integer NOT NULL DEFAULT 1,
  batch_size         integer NOT NULL DEFAULT 1,
  kind               text NOT NULL DEFAULT 'reels',
  template_id        text NOT NULL DEFAULT 'self',
  model              text,
  input_photo_path   text,
  product_info       jsonb NOT NULL DEFAULT '{}',
  status             text NOT NULL DEFAULT 'queued' CHECK (status IN
                       ('queued', 'submitting', 'generating', 'delivering', 'done', 'failed',
                        'cancelled')),
  attempts           integer NOT NULL DEFAULT 0,
  next_run_at        timestamptz NOT NULL DEFAULT now(),
  lease_owner        text,
  lease_until        timestamptz,
  provider           text,
  provider_task_id   text,
  provider_input_url text,
  result_url         text,
  result_path        text,
  tg_message_id      bigint,
  delivered          boolean,
  error              text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  finished_at        timestamptz
);
CREATE INDEX jobs_due_idx ON jobs (next_run_at)
  WHERE status IN ('queued', 'submitting', 'generating', 'delivering');
CREATE INDEX jobs_user_idx ON jobs (tg_user_id, created_at DESC);
CREATE INDEX jobs_batch_idx ON jobs (batch_id);

CREATE TABLE credit_ledger (
  id              bigserial PRIMARY KEY,
  user_id         bigint NOT NULL REFERENCES users (id),
  delta           integer NOT NULL CHECK (delta <> 0),
  reason          text NOT NULL CHECK (reason IN
                    ('grant', 'charge', 'refund', 'purchase', 'promo', 'adjust')),
  job_id          uuid REFERENCES jobs (id),
  idempotency_key text NOT NULL UNIQUE,
  note            text,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX credit_ledger_user_idx ON credit_ledger (user_id, id DESC);

CREATE TABLE conversations (
  tg_user_id  bigint PRIMARY KEY,
  state       text NOT NULL,
  data        jsonb NOT NULL DEFAULT '{}',
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE processed_updates (
  update_id   bigint PRIMARY KEY,
  handled_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE settings (
  key         text PRIMARY KEY,
  value       text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Workers LISTEN on nc_jobs: any job that becomes due (also one inserted by hand in psql)
-- wakes them at once. Notifications with equal payloads are merged per transaction.
CREATE FUNCTION nc_notify_job_due() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('nc_jobs', '');
  RETURN NULL;
END $$;

CREATE TRIGGER jobs_notify_due
  AFTER INSERT OR UPDATE OF status, next_run_at, lease_owner ON jobs
  FOR EACH ROW
  WHEN (NEW.status IN ('queued', 'submitting', 'generating', 'delivering')
        AND NEW.next_run_at <= now() AND NEW.lease_owner IS NULL)
  EXECUTE FUNCTION nc_notify_job_due();
