-- Practice profiles: a candidate's history across interviews, without passwords. The browser
-- holds a random key; only its SHA-256 is stored. An interview belongs to at most one profile;
-- deleting a profile erases its own interviews and detaches invite interviews (the recruiter's).
CREATE TABLE profiles (
    id         TEXT PRIMARY KEY,
    key_hash   TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

ALTER TABLE sessions ADD COLUMN profile_id TEXT REFERENCES profiles (id) ON DELETE SET NULL;
CREATE INDEX sessions_profile ON sessions (profile_id, created_at);
