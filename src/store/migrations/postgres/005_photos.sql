-- Product photos, so a worker on another host (with its own DATA_DIR) can still read the photo
-- the bot front received. Keyed by the stored file's name (its content hash), base64 text.
CREATE TABLE photos (
  name        text PRIMARY KEY,
  jpeg_base64 text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
