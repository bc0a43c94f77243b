-- One owner per live interview. `epoch` rises each time a server process takes the interview
-- (start, or resume on another process); every write of the live interview names the epoch it
-- holds, so a process that lost the interview cannot write to it any more.
ALTER TABLE sessions ADD COLUMN owner TEXT;
ALTER TABLE sessions ADD COLUMN epoch BIGINT NOT NULL DEFAULT 0;

-- The fallback evaluation a queued regrade replaces: the regrade is stored only while that
-- evaluation is still the turn's current one (a review or another regrade may have come first).
ALTER TABLE regrade_queue ADD COLUMN evaluation_id BIGINT;
