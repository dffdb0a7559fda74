-- Top-ups with Telegram Stars: one row per invoice sent. The invoice payload names the row;
-- the charge id Telegram gives on payment is what crediting (ledger "purchase:<charge id>") and
-- refunds are keyed by. Promo codes: credits granted once per seller ("promo:<code>:<user>").
CREATE TABLE payments (
  id                         INTEGER PRIMARY KEY,
  user_id                    INTEGER NOT NULL REFERENCES users (id),
  pack                       TEXT NOT NULL,
  credits                    INTEGER NOT NULL CHECK (credits > 0),
  stars                      INTEGER NOT NULL CHECK (stars > 0),
  payload                    TEXT NOT NULL UNIQUE,
  status                     TEXT NOT NULL DEFAULT 'created'
                               CHECK (status IN ('created', 'paid', 'refunded')),
  telegram_payment_charge_id TEXT UNIQUE,
  return_flow                TEXT NOT NULL DEFAULT '',
  refunded_credits           INTEGER NOT NULL DEFAULT 0,
  created_at                 TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
  paid_at                    TEXT,
  refunded_at                TEXT
);
CREATE INDEX payments_user_idx ON payments (user_id, created_at);
CREATE INDEX payments_paid_idx ON payments (paid_at);

CREATE TABLE promo_codes (
  code        TEXT PRIMARY KEY,
  credits     INTEGER NOT NULL CHECK (credits > 0),
  max_uses    INTEGER NOT NULL CHECK (max_uses > 0),
  used        INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0),
  valid_until TEXT,
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
