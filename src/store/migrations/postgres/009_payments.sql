-- Top-ups with Telegram Stars: one row per invoice sent. The invoice payload names the row;
-- the charge id Telegram gives on payment is what crediting (ledger "purchase:<charge id>") and
-- refunds are keyed by. Promo codes: credits granted once per seller ("promo:<code>:<user>").
CREATE TABLE payments (
  id                         bigserial PRIMARY KEY,
  user_id                    bigint NOT NULL REFERENCES users (id),
  pack                       text NOT NULL,
  credits                    integer NOT NULL CHECK (credits > 0),
  stars                      integer NOT NULL CHECK (stars > 0),
  payload                    text NOT NULL UNIQUE,
  status                     text NOT NULL DEFAULT 'created'
                               CHECK (status IN ('created', 'paid', 'refunded')),
  telegram_payment_charge_id text UNIQUE,
  return_flow                text NOT NULL DEFAULT '',
  refunded_credits           integer NOT NULL DEFAULT 0,
  created_at                 timestamptz NOT NULL DEFAULT now(),
  paid_at                    timestamptz,
  refunded_at                timestamptz
);
CREATE INDEX payments_user_idx ON payments (user_id, created_at);
CREATE INDEX payments_paid_idx ON payments (paid_at);

CREATE TABLE promo_codes (
  code        text PRIMARY KEY,
  credits     integer NOT NULL CHECK (credits > 0),
  max_uses    integer NOT NULL CHECK (max_uses > 0),
  used        integer NOT NULL DEFAULT 0 CHECK (used >= 0),
  valid_until timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
