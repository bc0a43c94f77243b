-- The staff session list: an index for each filter and each sort it offers (keyset pages are
-- (sort value, id) ranges), so a filtered or re-sorted page costs about what the first page costs.
CREATE INDEX sessions_created_id ON sessions (created_at, id);
CREATE INDEX sessions_status_created ON sessions (status, created_at, id);
CREATE INDEX sessions_level_created ON sessions (level, created_at, id);
CREATE INDEX sessions_flagged_created ON sessions (flagged, created_at, id);
CREATE INDEX sessions_invite_created ON sessions (invite_id, created_at, id);
CREATE INDEX sessions_overall_id ON sessions ((COALESCE(overall, -1)), id);
CREATE INDEX sessions_candidate_id ON sessions ((LOWER(COALESCE(candidate_name, ''))), id);
CREATE INDEX sessions_topics_list ON sessions ((',' || topics || ','));

-- Candidate search is a substring match on name or email: an FTS5 trigram index serves it
-- (`LIKE '%…%'` on the index), kept in step with the sessions by triggers.
CREATE VIRTUAL TABLE session_candidates USING fts5(who, tokenize = 'trigram');
INSERT INTO session_candidates (rowid, who)
    SELECT rowid, LOWER(COALESCE(candidate_name, '') || char(10) || COALESCE(candidate_email, ''))
    FROM sessions;
CREATE TRIGGER session_candidates_insert AFTER INSERT ON sessions BEGIN
    INSERT INTO session_candidates (rowid, who)
        VALUES (new.rowid, LOWER(COALESCE(new.candidate_name, '') || char(10) || COALESCE(new.candidate_email, '')));
END;
CREATE TRIGGER session_candidates_update AFTER UPDATE OF candidate_name, candidate_email ON sessions BEGIN
    DELETE FROM session_candidates WHERE rowid = old.rowid;
    INSERT INTO session_candidates (rowid, who)
        VALUES (new.rowid, LOWER(COALESCE(new.candidate_name, '') || char(10) || COALESCE(new.candidate_email, '')));
END;
CREATE TRIGGER session_candidates_delete AFTER DELETE ON sessions BEGIN
    DELETE FROM session_candidates WHERE rowid = old.rowid;
END;
