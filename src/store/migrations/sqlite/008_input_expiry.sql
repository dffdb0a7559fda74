-- The provider's copy of a job's input photo and when it expires, in columns of their own
-- (until now one text "url<TAB>unix seconds"). The unused locks table goes.
ALTER TABLE jobs ADD COLUMN provider_input_expires_at INTEGER;
UPDATE jobs
   SET provider_input_expires_at =
         CAST(substr(provider_input_url, instr(provider_input_url, char(9)) + 1) AS INTEGER),
       provider_input_url = substr(provider_input_url, 1, instr(provider_input_url, char(9)) - 1)
 WHERE instr(provider_input_url, char(9)) > 0;
DROP TABLE IF EXISTS locks;
