-- Task creations booked at the provider, per account (a hash of the API key), so every worker
-- process keeps to the provider's limit together. A row per account serialises bookings.
CREATE TABLE provider_accounts (
  account    TEXT PRIMARY KEY,
  booked_ms  INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE provider_creates (
  account  TEXT NOT NULL REFERENCES provider_accounts (account),
  at_ms    INTEGER NOT NULL
);
CREATE INDEX provider_creates_idx ON provider_creates (account, at_ms);
