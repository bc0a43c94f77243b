-- The recruiter's side of invites: a revoked invite starts nothing; an invite may hide scores
-- and feedback from the candidate. An invited candidate agrees to the notice before the first
-- question: the agreement's time and the notice's version are kept with the interview.
ALTER TABLE invites ADD COLUMN revoked_at BIGINT;
ALTER TABLE invites ADD COLUMN revoked_by TEXT;
ALTER TABLE invites ADD COLUMN show_scores BOOLEAN NOT NULL DEFAULT TRUE;

ALTER TABLE sessions ADD COLUMN scores_hidden BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE sessions ADD COLUMN consent_at BIGINT;
ALTER TABLE sessions ADD COLUMN consent_version TEXT;

-- What staff and the retention purge erased: who, when and which record, never personal data.
CREATE TABLE audit_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      BIGINT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX sessions_finished_at ON sessions (finished_at);
