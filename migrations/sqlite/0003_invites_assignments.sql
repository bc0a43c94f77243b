-- Invites from recruiters, admin-configured rubric assignments, and lookups by token.

CREATE INDEX sessions_resume_token ON sessions (resume_token_hash);
CREATE INDEX sessions_invite ON sessions (invite_id);

CREATE TABLE invites (
    id              TEXT PRIMARY KEY,
    token_hash      TEXT NOT NULL UNIQUE,
    created_by      TEXT NOT NULL,
    candidate_name  TEXT,
    candidate_email TEXT,
    topics          TEXT NOT NULL,
    level           TEXT NOT NULL,
    question_count  BIGINT NOT NULL,
    rubrics         TEXT NOT NULL,
    expires_at      BIGINT NOT NULL,
    max_uses        BIGINT NOT NULL,
    uses            BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL
);

-- Which rubric grades a kind of question, optionally only for one topic ('' = every topic).
CREATE TABLE rubric_assignments (
    kind       TEXT NOT NULL,
    topic      TEXT NOT NULL DEFAULT '',
    rubric_id  TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT,
    PRIMARY KEY (kind, topic)
);
