-- Replies decided while handling an update are written here in the same transaction as the
-- update's effects, then sent; a crash between the two loses nothing.
CREATE TABLE outbox (
  id           bigserial PRIMARY KEY,
  chat_id      bigint NOT NULL,
  method       text NOT NULL,
  payload      jsonb NOT NULL,
  priority     integer NOT NULL DEFAULT 0,
  attempts     integer NOT NULL DEFAULT 0,
  lease_owner  text,
  lease_until  timestamptz,
  next_try_at  timestamptz NOT NULL DEFAULT now(),
  sent_at      timestamptz,
  error        text,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_pending_idx ON outbox (next_try_at) WHERE sent_at IS NULL;

-- Named leases: "one poller across all instances" and similar singletons.
CREATE TABLE locks (
  name   text PRIMARY KEY,
  owner  text NOT NULL,
  until  timestamptz NOT NULL
);
