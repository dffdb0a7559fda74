-- A message about a job (its failure notice) records the sent message id on the job, so the
-- buttons under it find the job later.
ALTER TABLE outbox ADD COLUMN job_id text;
