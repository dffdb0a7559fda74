-- The provider's copy of a job's input photo and when it expires, in columns of their own
-- (until now one text "url<TAB>unix seconds"). The unused locks table goes.
ALTER TABLE jobs ADD COLUMN provider_input_expires_at bigint;
UPDATE jobs
   SET provider_input_expires_at = CAST(split_part(provider_input_url, E'\t', 2) AS bigint),
       provider_input_url = split_part(provider_input_url, E'\t', 1)
 WHERE provider_input_url LIKE E'%\t%';
DROP TABLE IF EXISTS locks;
