-- The staff session list: an index for each filter and each sort it offers (keyset pages are
-- (sort value, id) ranges), so a filtered or re-sorted page costs about what the first page costs.
CREATE INDEX sessions_created_id ON sessions (created_at, id);
CREATE INDEX sessions_status_created ON sessions (status, created_at, id);
CREATE INDEX sessions_level_created ON sessions (level, created_at, id);
CREATE INDEX sessions_flagged_created ON sessions (flagged, created_at, id);
CREATE INDEX sessions_invite_created ON sessions (invite_id, created_at, id);
CREATE INDEX sessions_overall_id ON sessions ((COALESCE(overall, -1)), id);
CREATE INDEX sessions_candidate_id ON sessions ((LOWER(COALESCE(candidate_name, ''))), id);
-- The topic filter matches one name in the comma-separated list; the expression index also gives
-- the planner statistics on it.
CREATE INDEX sessions_topics_list ON sessions ((',' || topics || ','));

-- Candidate search is a substring match on name or email: trigram indexes serve it. Sessions are
-- created once per interview, so the indexes are updated at once rather than through GIN's pending
-- list (which the planner cannot see into until a vacuum).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX sessions_candidate_name_trgm ON sessions
    USING gin ((LOWER(COALESCE(candidate_name, ''))) gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX sessions_candidate_email_trgm ON sessions
    USING gin ((LOWER(COALESCE(candidate_email, ''))) gin_trgm_ops) WITH (fastupdate = off);
