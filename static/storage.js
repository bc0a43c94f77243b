// What survives a reload: the interview to resume, and answers sent but not yet acknowledged.
// localStorage can be disabled or full; then the page still works, it just cannot resume.

const SESSION_KEY = 'rehearse.session';
const PENDING_KEY = 'rehearse.pending';

function read(key, fallback) {
  try {
    const raw = localStorage.getItem(key);
    return raw ? JSON.parse(raw) : fallback;
  } catch {
    return fallback;
  }
}

function write(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage unavailable: resume after a reload will not work, everything else does.
  }
}

function remove(key) {
  try {
    localStorage.removeItem(key);
  } catch {
    // Same as above.
  }
}

/** The stored `{session_id, resume_token}`, or null. */
export function loadSession() {
  const s = read(SESSION_KEY, null);
  const valid = s && typeof s.session_id === 'string' && typeof s.resume_token === 'string';
  return valid ? { session_id: s.session_id, resume_token: s.resume_token } : null;
}

export function saveSession(sessionId, resumeToken) {
  write(SESSION_KEY, { session_id: sessionId, resume_token: resumeToken });
}

/** Forgets the interview and its unacknowledged answers ("Start a new interview"). */
export function clearSession() {
  remove(SESSION_KEY);
  remove(PENDING_KEY);
}

function allPending() {
  const list = read(PENDING_KEY, []);
  return Array.isArray(list) ? list.filter((p) => p && typeof p.client_msg_id === 'string') : [];
}

/** Unacknowledged answers of one interview, oldest first: `{session_id, client_msg_id, text, turn}`. */
export function loadPending(sessionId) {
  return allPending().filter((p) => p.session_id === sessionId);
}

/** Records an answer before it is sent, so a reload at any moment cannot lose it. */
export function addPending(entry) {
  const list = allPending().filter((p) => p.client_msg_id !== entry.client_msg_id);
  list.push(entry);
  write(PENDING_KEY, list);
}

/** Drops an answer once the server acknowledged (or definitively refused) it. */
export function removePending(clientMsgId) {
  const list = allPending();
  const kept = list.filter((p) => p.client_msg_id !== clientMsgId);
  if (kept.length !== list.length) write(PENDING_KEY, kept);
}

// ---------------------------------------------------------------------------------------------
// The practice profile: a random key the server created; it stores only its hash. Whoever holds
// the key holds the history, so it stays in this browser and in the recovery link.

const PROFILE_KEY = 'rehearse.profile';
const DRAFTS_KEY = 'rehearse.drafts';
const MAX_DRAFTS = 50;

/** The stored profile `{key, profile_id, shown}` (`shown`: the recovery link was shown), or null. */
export function loadProfile() {
  const p = read(PROFILE_KEY, null);
  return p && typeof p.key === 'string' && p.key.startsWith('rhp_') ? p : null;
}

export function saveProfile(profile) {
  write(PROFILE_KEY, profile);
}

export function clearProfile() {
  remove(PROFILE_KEY);
}

function allDrafts() {
  const d = read(DRAFTS_KEY, {});
  return d && typeof d === 'object' && !Array.isArray(d) ? d : {};
}

/** The unsent draft of one question of one interview, or ''. */
export function loadDraft(sessionId, turn) {
  const d = allDrafts()[`${sessionId}:${turn}`];
  return typeof d?.text === 'string' ? d.text : '';
}

/** Keeps the draft (an empty text forgets it); only the newest drafts are kept. */
export function saveDraft(sessionId, turn, text) {
  const drafts = allDrafts();
  const key = `${sessionId}:${turn}`;
  delete drafts[key];
  if (text) drafts[key] = { text, at: Date.now() };
  const keys = Object.keys(drafts).sort((a, b) => (drafts[b].at ?? 0) - (drafts[a].at ?? 0));
  for (const old of keys.slice(MAX_DRAFTS)) delete drafts[old];
  write(DRAFTS_KEY, drafts);
}
