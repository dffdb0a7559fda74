-- Product photos, so a worker process with another DATA_DIR can still read the photo the bot
-- front received. Keyed by the stored file's name (its content hash), base64 text.
CREATE TABLE photos (
  name        TEXT PRIMARY KEY,
  jpeg_base64 TEXT NOT NULL,
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
