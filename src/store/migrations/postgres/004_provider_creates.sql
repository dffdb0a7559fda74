-- Task creations booked at the provider, per account (a hash of the API key), so workers on
-- every host keep to the provider's limit together. A row per account serialises bookings.
CREATE TABLE provider_accounts (
  account    text PRIMARY KEY,
  booked_ms  bigint NOT NULL DEFAULT 0
);
CREATE TABLE provider_creates (
  account  text NOT NULL REFERENCES provider_accounts (account),
  at_ms    bigint NOT NULL
);
CREATE INDEX provider_creates_idx ON provider_creates (account, at_ms);
