-- Interview sessions, turns, evaluations, rubric versions and API tokens.
-- Timestamps are Unix milliseconds (UTC); structured values are JSON text.

CREATE TABLE sessions (
    id                TEXT PRIMARY KEY,
    resume_token_hash TEXT NOT NULL,
    candidate_name    TEXT,
    candidate_email   TEXT,
    topics            TEXT NOT NULL,
    level             TEXT NOT NULL,
    question_count    BIGINT NOT NULL,
    plan              TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'active',
    invite_id         TEXT,
    created_by        TEXT,
    overall           BIGINT,
    flagged           BOOLEAN NOT NULL DEFAULT FALSE,
    summary           TEXT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    finished_at       BIGINT
);
CREATE INDEX sessions_created_at ON sessions (created_at);

CREATE TABLE turns (
    session_id         TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    turn               BIGINT NOT NULL,
    question_id        TEXT NOT NULL,
    topic              TEXT NOT NULL,
    level              TEXT NOT NULL,
    kind               TEXT NOT NULL,
    question_text      TEXT NOT NULL,
    is_follow_up       BOOLEAN NOT NULL DEFAULT FALSE,
    parent_turn        BIGINT,
    asked_at           BIGINT NOT NULL,
    answer_text        TEXT,
    client_msg_id      TEXT,
    answered_at        BIGINT,
    answer_duration_ms BIGINT,
    skipped            BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (session_id, turn)
);
CREATE UNIQUE INDEX turns_client_msg_id ON turns (session_id, client_msg_id);

CREATE TABLE evaluations (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id     TEXT NOT NULL,
    turn           BIGINT NOT NULL,
    source         TEXT NOT NULL,
    rubric_id      TEXT NOT NULL,
    rubric_version BIGINT NOT NULL,
    evaluator      TEXT NOT NULL,
    model          TEXT,
    prompt_hash    TEXT,
    latency_ms     BIGINT,
    usage          TEXT,
    overall        BIGINT NOT NULL,
    passed         BOOLEAN NOT NULL,
    flags          TEXT NOT NULL,
    body           TEXT NOT NULL,
    reviewer       TEXT,
    comment        TEXT,
    created_at     BIGINT NOT NULL,
    FOREIGN KEY (session_id, turn) REFERENCES turns (session_id, turn) ON DELETE CASCADE
);
CREATE INDEX evaluations_turn ON evaluations (session_id, turn, id);

CREATE TABLE rubric_versions (
    rubric_id    TEXT NOT NULL,
    version      BIGINT NOT NULL,
    name         TEXT NOT NULL,
    body         TEXT NOT NULL,
    source_text  TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    created_by   TEXT,
    PRIMARY KEY (rubric_id, version)
);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
