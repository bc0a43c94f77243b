-- Turns graded by the built-in fallback because the LLM failed, waiting to be regraded.
CREATE TABLE regrade_queue (
    session_id      TEXT NOT NULL,
    turn            BIGINT NOT NULL,
    enqueued_at     BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until     BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT,
    PRIMARY KEY (session_id, turn),
    FOREIGN KEY (session_id, turn) REFERENCES turns (session_id, turn) ON DELETE CASCADE
);
CREATE INDEX regrade_queue_due ON regrade_queue (next_attempt_at);
