// The candidate chat page: start form → chat → summary, over the interview WebSocket
// (docs/protocol.md). The server is the authority on the interview; this page keeps just enough
// state to render it, to survive reloads and dropped connections (resume + resend of
// unacknowledged answers), and to stay idempotent when messages arrive twice across a resume.

import { h, replaceChildren, clamp } from './dom.js';
import * as storage from './storage.js';
import { InterviewSocket } from './socket.js';
import {
  progressText,
  questionBubble,
  answerBubble,
  setAnswerStatus,
  skippedBubble,
  evaluatingIndicator,
  markGradingSlow,
  feedbackBubble,
  scoreCard,
  summaryPanel,
  inviteSummary,
  inviteMeta,
} from './render.js';

const NOTICE_MS = 8000;
const SLOW_GRADING_MS = 5000;
const END_CONFIRM_MS = 4000;
const RESEND_DELAY_MS = 1500;

const $ = (id) => document.getElementById(id);
const ui = {
  progress: $('progress'),
  conn: $('conn'),
  notices: $('notices'),
  startView: $('start-view'),
  startForm: $('start-form'),
  topicList: $('topic-list'),
  level: $('level'),
  count: $('count'),
  countHint: $('count-hint'),
  name: $('name'),
  startButton: $('start-button'),
  weakSpots: $('weak-spots-button'),
  weakSpotsHint: $('weak-spots-hint'),
  profileCreated: $('profile-created'),
  recoveryLink: $('recovery-link'),
  copyRecovery: $('copy-recovery'),
  dismissRecovery: $('dismiss-recovery'),
  profileLine: $('profile-line'),
  inviteJoinLabel: $('invite-join-label'),
  inviteJoin: $('invite-join'),
  announcer: $('announcer'),
  halted: $('composer-halted'),
  continueHere: $('continue-here'),
  inviteView: $('invite-view'),
  inviteForm: $('invite-form'),
  inviteChecking: $('invite-checking'),
  inviteError: $('invite-error'),
  inviteDetails: $('invite-details'),
  inviteSummary: $('invite-summary'),
  inviteMeta: $('invite-meta'),
  inviteNameField: $('invite-name-field'),
  inviteName: $('invite-name'),
  inviteStart: $('invite-start'),
  inviteNoticeText: $('invite-notice-text'),
  inviteConsent: $('invite-consent'),
  summaryView: $('summary-view'),
  chatView: $('chat-view'),
  chatLog: $('chat-log'),
  composer: $('composer'),
  answer: $('answer'),
  hint: $('composer-hint'),
  send: $('send-button'),
  skip: $('skip-button'),
  end: $('end-button'),
};

const state = {
  catalog: null,
  titles: new Map(), // topic id → title, from /api/catalog
  session: null, // {session_id, resume_token}: the interview this page is showing
  invite: null, // {token, info}: a recruiter's invite (`/?invite=TOKEN`) shown instead of the start form
  attached: false, // this connection carries the interview (a `session` arrived on it)
  starting: false, // `start` requested, no `session` yet
  finished: false,
  halted: false, // taken over by another tab: do not reconnect until asked
  openTurn: null, // the turn the server is waiting on
  turns: new Map(), // turn number → TurnView (see ensureTurn)
  planCount: null, // main questions in the plan (transcript turns do not carry `of`)
  pendingStart: null, // the `start` message to send once the socket is open
  inflight: null, // client_msg_id of the answer sent on this connection and not yet acked
  skipInflight: null, // turn optimistically marked skipped, until the server moves on
  summary: null, // the `summary` message, kept to redraw the chart when the page is resized
  scoresHidden: false, // the invite keeps this interview's results for the recruiter
  resendTimer: null,
  endArmedTimer: null,
  profile: null, // {key, profile_id, shown}: this browser's practice profile
  wantedCount: null, // the count the candidate chose (or the catalog's default), before capping
  slowTimers: new Map(), // turn → timer that says "still grading" after SLOW_GRADING_MS
};

const socket = new InterviewSocket(socketUrl(), {
  onOpen: handleOpen,
  onMessage: dispatch,
  onClose: handleClose,
  onStatus: showConnection,
  shouldReconnect: () => state.session !== null && !state.halted,
});

// ---------------------------------------------------------------------------------------------
// Boot

boot();

async function boot() {
  wireEvents();
  state.profile = storage.loadProfile();
  const invite = new URLSearchParams(location.search).get('invite');
  if (invite) {
    // A recruiter's link: it fixes the interview, so it wins over a stored practice interview.
    // It joins the practice profile only if the candidate ticks the box.
    state.invite = { token: invite, info: null };
    showView('invite');
    ui.inviteJoinLabel.hidden = false;
    await loadCatalog();
    await checkInvite();
    return;
  }
  state.session = storage.loadSession();
  if (state.session) {
    // A reload (or a new tab) of an interview in progress: show the chat and resume it.
    showView('chat');
    updateComposer();
  } else {
    showView('start');
  }
  await loadCatalog();
  if (state.session) socket.connect();
  await ensureProfile();
}

// ---------------------------------------------------------------------------------------------
// The practice profile: created on the first visit, its recovery link shown once.

async function createProfile() {
  const res = await fetch('/api/profiles', { method: 'POST', headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const body = await res.json();
  state.profile = { key: body.key, profile_id: body.profile_id, shown: false };
  storage.saveProfile(state.profile);
  return state.profile;
}

async function ensureProfile() {
  if (!state.profile) {
    try {
      await createProfile();
    } catch (err) {
      // Practice still works without a profile; only the history is missing.
      notify(`Could not create your practice profile (${err.message}); this interview will not be kept in a history.`);
      return;
    }
  }
  renderProfile();
}

function recoveryUrl() {
  return `${location.origin}/me#key=${state.profile.key}`;
}

function renderProfile() {
  const p = state.profile;
  ui.weakSpots.hidden = !p;
  ui.weakSpotsHint.hidden = !p;
  ui.profileLine.hidden = !p;
  if (!p) return;
  ui.profileLine.textContent = 'Your interviews are kept in your practice history in this browser.';
  if (!p.shown) {
    ui.recoveryLink.textContent = recoveryUrl();
    ui.profileCreated.hidden = false;
    // Shown once: a reload does not show the key again.
    storage.saveProfile({ ...p, shown: true });
  }
}

function socketUrl() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}

function wireEvents() {
  ui.startForm.addEventListener('submit', (e) => {
    e.preventDefault();
    startInterview();
  });
  ui.inviteConsent.addEventListener('change', () => {
    ui.inviteStart.disabled = !ui.inviteConsent.checked || state.starting;
  });
  ui.inviteForm.addEventListener('submit', (e) => {
    e.preventDefault();
    startInvite();
  });
  ui.topicList.addEventListener('change', updateCountLimit);
  ui.level.addEventListener('change', updateCountLimit);
  ui.count.addEventListener('change', () => {
    state.wantedCount = Number(ui.count.value) || state.wantedCount;
    clampCount();
  });
  ui.weakSpots.addEventListener('click', () => startInterview({ practice: 'weak_spots' }));
  ui.copyRecovery.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(recoveryUrl());
      ui.copyRecovery.textContent = 'Copied';
    } catch {
      notify('Copy did not work here; select the link and copy it by hand.');
    }
  });
  ui.dismissRecovery.addEventListener('click', () => {
    ui.profileCreated.hidden = true;
  });
  ui.continueHere.addEventListener('click', continueHere);
  ui.answer.addEventListener('input', () => {
    const view = openView();
    if (view && state.session) storage.saveDraft(state.session.session_id, view.turn, ui.answer.value);
  });
  ui.composer.addEventListener('submit', (e) => {
    e.preventDefault();
    sendAnswer();
  });
  ui.answer.addEventListener('keydown', (e) => {
    // Enter alone inserts a newline (answers are multi-line); Ctrl/Cmd+Enter sends.
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      sendAnswer();
    }
  });
  ui.skip.addEventListener('click', skipQuestion);
  ui.end.addEventListener('click', endInterview);
  // Back online: do not wait for the rest of the backoff.
  window.addEventListener('online', () => socket.retryNow());
  let resizeTimer = null;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => state.summary && renderSummary(), 200);
  });
}

// ---------------------------------------------------------------------------------------------
// Start form

async function loadCatalog() {
  try {
    const res = await fetch('/api/catalog', { headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    state.catalog = await res.json();
  } catch (err) {
    replaceChildren(ui.topicList, h('p', { class: 'error-text' }, 'Could not load the topics. Reload the page to try again.'));
    notify(`Could not load the topic list (${err.message}).`);
    return;
  }
  for (const t of state.catalog.topics) state.titles.set(t.id, t.title);
  renderStartForm();
}

function renderStartForm() {
  const { topics, levels, default_count: defaultCount } = state.catalog;
  replaceChildren(
    ui.topicList,
    topics.map((t) =>
      h(
        'label',
        { class: 'topic-option', testid: 'topic-option' },
        h('input', { type: 'checkbox', name: 'topic', value: t.id, testid: `topic-${t.id}` }),
        h('span', { class: 'topic-title' }, t.title),
        h('span', { class: 'topic-count muted', 'data-topic-count': t.id }),
      ),
    ),
  );
  replaceChildren(
    ui.level,
    levels.map((l) => h('option', { value: l, selected: l === 'mid' }, capitalise(l))),
  );
  state.wantedCount = Number(defaultCount) || 5;
  ui.count.value = String(state.wantedCount);
  updateCountLimit();
}

function selectedTopics() {
  return [...ui.topicList.querySelectorAll('input[name="topic"]:checked')].map((i) => i.value);
}

/** Questions available at `level` for each topic, from the catalog's `counts`. */
function availableAt(level) {
  const byTopic = new Map();
  for (const c of state.catalog?.counts ?? []) if (c.level === level) byTopic.set(c.topic, c.count);
  return byTopic;
}

/** The count cap: questions available for the chosen topics at the chosen level, at most max_count. */
function countLimit() {
  const available = availableAt(ui.level.value);
  const total = selectedTopics().reduce((sum, t) => sum + (available.get(t) ?? 0), 0);
  return Math.min(state.catalog?.max_count ?? 20, total);
}

function updateCountLimit() {
  const available = availableAt(ui.level.value);
  for (const el of ui.topicList.querySelectorAll('[data-topic-count]')) {
    el.textContent = `${available.get(el.dataset.topicCount) ?? 0} questions`;
  }
  const limit = countLimit();
  ui.count.max = String(Math.max(1, limit));
  ui.countHint.textContent =
    selectedTopics().length === 0 ? 'Choose at least one topic.' : `Up to ${limit} for these topics at this level.`;
  clampCount();
  ui.startButton.disabled = state.starting || limit < 1;
}

/** Shows the wanted count, capped by what the chosen topics hold (uncapped while none is chosen). */
function clampCount() {
  const wanted = state.wantedCount ?? (Number(ui.count.value) || 1);
  const limit = selectedTopics().length ? Math.max(1, countLimit()) : (state.catalog?.max_count ?? 20);
  ui.count.value = String(Math.round(clamp(wanted, 1, limit)));
}

function startInterview({ practice = null } = {}) {
  if (state.starting || !state.catalog) return;
  const topics = selectedTopics();
  if (topics.length === 0 && !practice) {
    notify('Choose at least one topic.');
    return;
  }
  clampCount();
  const name = ui.name.value.trim();
  state.pendingStart = {
    type: 'start',
    topics,
    level: ui.level.value,
    count: Number(ui.count.value),
    ...(name ? { candidate: { name } } : {}),
    ...(state.profile ? { profile: state.profile.key } : {}),
    ...(practice ? { practice } : {}),
  };
  state.starting = true;
  state.halted = false;
  ui.startButton.disabled = true;
  ui.startButton.textContent = 'Starting…';
  if (socket.isOpen) handleOpen();
  else socket.connect();
}

function startFailed() {
  state.starting = false;
  state.pendingStart = null;
  ui.startButton.textContent = 'Start interview';
  ui.inviteStart.textContent = 'Start interview';
  ui.inviteStart.disabled = !ui.inviteConsent.checked;
  updateCountLimit();
}

// ---------------------------------------------------------------------------------------------
// Invites: `/?invite=TOKEN` is checked (without using it up), then started on request.

async function checkInvite() {
  let res;
  let body = null;
  try {
    res = await fetch('/api/invites/check', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ token: state.invite.token }),
    });
    body = await res.json().catch(() => null);
  } catch {
    showInviteError('Could not check your invite. Check your connection and reload the page.');
    return;
  }
  if (!res.ok) {
    showInviteError(body?.message ?? `This invite cannot be used (HTTP ${res.status}).`);
    return;
  }
  state.invite.info = body;
  ui.inviteChecking.hidden = true;
  ui.inviteSummary.textContent = inviteSummary(body, titleOf);
  ui.inviteMeta.textContent = inviteMeta(body);
  // The invite may already name the candidate; only ask when it does not.
  ui.inviteNameField.hidden = Boolean(body.candidate_name);
  const notice = body.notice ?? { paragraphs: [] };
  const paragraphs = Array.isArray(notice.paragraphs) ? notice.paragraphs : [];
  replaceChildren(ui.inviteNoticeText, ...paragraphs.map((p) => h('p', {}, String(p))));
  // Results the candidate will not see stay out of their practice history too.
  if (notice.scores_hidden) ui.inviteJoinLabel.hidden = true;
  ui.inviteConsent.checked = false;
  ui.inviteStart.disabled = true;
  ui.inviteDetails.hidden = false;
  ui.inviteConsent.focus();
}

/** An invite that cannot start an interview: its reason, and nothing else to do. */
function showInviteError(message) {
  ui.inviteChecking.hidden = true;
  ui.inviteDetails.hidden = true;
  ui.inviteError.textContent = String(message);
  ui.inviteError.hidden = false;
}

function startInvite() {
  if (state.starting || !state.invite?.info) return;
  if (!ui.inviteConsent.checked) {
    ui.inviteConsent.focus();
    return;
  }
  const name = ui.inviteNameField.hidden ? '' : ui.inviteName.value.trim();
  const join = ui.inviteJoin.checked && !ui.inviteJoinLabel.hidden;
  if (join && !state.profile) {
    // The profile is made only when the candidate asks for the interview to be kept.
    createProfile()
      .then(startInvite)
      .catch((err) => notify(`Could not create your practice profile (${err.message}).`));
    return;
  }
  state.pendingStart = {
    type: 'start',
    invite: state.invite.token,
    consent: state.invite.info.notice?.version,
    ...(name ? { candidate: { name } } : {}),
    ...(join && state.profile ? { profile: state.profile.key } : {}),
  };
  state.starting = true;
  state.halted = false;
  ui.inviteStart.disabled = true;
  ui.inviteStart.textContent = 'Starting…';
  if (socket.isOpen) handleOpen();
  else socket.connect();
}

/** Once the interview exists, a reload must resume it rather than present the used invite again. */
function forgetInvite() {
  state.invite = null;
  const url = new URL(location.href);
  url.searchParams.delete('invite');
  history.replaceState(history.state, '', `${url.pathname}${url.search}${url.hash}`);
}

// ---------------------------------------------------------------------------------------------
// Connection

function handleOpen() {
  if (state.session) {
    socket.send({ type: 'resume', ...state.session });
  } else if (state.pendingStart) {
    socket.send(state.pendingStart);
  }
}

function handleClose() {
  state.attached = false;
  state.inflight = null;
  if (state.starting) {
    notify('The connection closed before the interview started. Please try again.');
    startFailed();
  }
  updateComposer();
}

function showConnection(status, delayMs) {
  const labels = {
    connecting: 'Connecting…',
    open: 'Connected',
    waiting: `Connection lost — retrying in ${Math.ceil((delayMs ?? 0) / 1000)} s…`,
    closed: '',
  };
  ui.conn.dataset.state = status;
  ui.conn.textContent = labels[status] ?? '';
}

// ---------------------------------------------------------------------------------------------
// Server messages

const handlers = {
  session: onSession,
  transcript: onTranscript,
  question: onQuestion,
  ack: onAck,
  feedback_delta: onFeedbackDelta,
  evaluation: onEvaluation,
  summary: onSummary,
  finished: onFinished,
  error: onError,
};

function dispatch(msg) {
  const handler = handlers[msg.type];
  if (handler) handler(msg);
}

function onSession(msg) {
  const fresh = !state.session || state.session.session_id !== msg.session_id;
  if (fresh) resetInterview();
  state.session = { session_id: msg.session_id, resume_token: msg.resume_token };
  // The recruiter keeps this interview's results: no grading to wait for, no scores to show.
  state.scoresHidden = Boolean(msg.scores_hidden);
  state.planCount = msg.plan?.count ?? state.planCount;
  storage.saveSession(msg.session_id, msg.resume_token);
  if (state.invite) forgetInvite();
  state.attached = true;
  socket.markHealthy();
  if (state.starting) {
    state.starting = false;
    state.pendingStart = null;
    ui.startButton.textContent = 'Start interview';
  }
  if (!state.finished) showView('chat');
  updateComposer();
}

/** After `resume`: every earlier turn, then the server re-sends the open question (or the summary). */
function onTranscript(msg) {
  for (const t of msg.turns ?? []) {
    const view = ensureTurn(t);
    if (t.answer != null) showAnswer(view, t.answer, 'saved', null);
    else if (t.skipped) showSkipped(view);
    if (t.evaluation) showEvaluation(view, t.evaluation, { closed: t.closed, modelAnswer: t.model_answer });
    else showEvaluating(view, t.answer != null && !state.scoresHidden);
  }
  restorePendingAnswers();
  flushPending();
  updateComposer();
}

function onQuestion(msg) {
  const view = ensureTurn(msg);
  // A (re-)sent question is open by the server's word: undo an optimistic skip that never arrived.
  if (view.skipped && !view.answer) clearSkipped(view);
  state.skipInflight = null;
  state.openTurn = msg.turn;
  ui.progress.hidden = false;
  ui.progress.textContent = progressText(msg.index, msg.of, msg.follow_up);
  announce(`${progressText(msg.index, msg.of, msg.follow_up)}.`);
  // An unsent draft of this question survives a reload.
  if (!ui.answer.value && state.session) ui.answer.value = storage.loadDraft(state.session.session_id, msg.turn);
  updateComposer();
  // The new question at the top of the screen, the answer box right below it.
  view.li.scrollIntoView({ block: 'start', behavior: scrollBehavior() });
  if (!ui.answer.disabled) ui.answer.focus({ preventScroll: true });
}

function onAck(msg) {
  storage.removePending(msg.client_msg_id);
  if (state.inflight === msg.client_msg_id) state.inflight = null;
  const view = state.turns.get(msg.turn) ?? findTurnByAnswerId(msg.client_msg_id);
  if (view?.answer) {
    setAnswerStatus(view.answer.bubble, 'saved');
    view.answer.status = 'saved';
    if (state.scoresHidden) {
      announce('Answer saved.');
    } else {
      showEvaluating(view, !view.evaluated);
      announce('Answer saved. Grading…');
    }
  }
  updateComposer();
}

function onFeedbackDelta(msg) {
  const view = state.turns.get(msg.turn);
  if (!view) return;
  // Deltas after a finished evaluation belong to a regrade: start its feedback afresh.
  if (!view.feedback || view.feedback.done) {
    view.feedback?.bubble.remove();
    const bubble = feedbackBubble();
    view.feedback = { bubble, text: bubble.querySelector('[data-testid="feedback-text"]'), done: false };
    view.slots.feedback.append(bubble);
  }
  view.feedback.text.append(document.createTextNode(String(msg.text ?? '')));
}

function onEvaluation(msg) {
  const view = state.turns.get(msg.turn);
  if (!view) return;
  // An evaluation implies the answer was stored, even if its ack was lost with a connection.
  if (view.answer && view.answer.status !== 'saved') {
    storage.removePending(view.answer.id);
    setAnswerStatus(view.answer.bubble, 'saved');
    view.answer.status = 'saved';
  }
  showEvaluation(view, msg.evaluation, { closed: msg.closed, modelAnswer: msg.model_answer });
  const ev = msg.evaluation ?? {};
  announce(`Scored ${clamp(ev.overall, 0, 100)} out of 100${ev.passed ? ', passed' : ''}. Details are in the score card.`);
  updateComposer();
}

/** One short line for screen readers; the cards are read only when the reader goes to them. */
function announce(text) {
  ui.announcer.textContent = text;
}

function onSummary(msg) {
  state.finished = true;
  state.openTurn = null;
  state.skipInflight = null;
  disarmEnd();
  for (const view of state.turns.values()) showEvaluating(view, false);
  // Answers still unacknowledged can no longer be accepted.
  for (const p of storage.loadPending(msg.session_id)) storage.removePending(p.client_msg_id);
  state.summary = msg;
  renderSummary();
  ui.progress.textContent = msg.ended_early ? 'Interview ended' : 'Interview complete';
  ui.progress.hidden = false;
  showView('summary');
  updateComposer();
  ui.summaryView.querySelector('h1')?.focus();
}

/** The end of an interview whose results go to the recruiter only: no scores, a thank-you. */
function onFinished(msg) {
  state.finished = true;
  state.openTurn = null;
  state.skipInflight = null;
  disarmEnd();
  for (const p of storage.loadPending(msg.session_id)) storage.removePending(p.client_msg_id);
  const reached = Number(msg.reached) || 0;
  const planned = Number(msg.planned) || 0;
  replaceChildren(
    ui.summaryView,
    h(
      'section',
      { class: 'card summary', testid: 'finished' },
      h('h1', { tabindex: '-1' }, msg.ended_early ? 'Interview ended' : 'Interview complete'),
      h('p', {}, `Thank you. Your answers to ${reached} of ${planned} question${planned === 1 ? '' : 's'} are saved.`),
      h('p', { class: 'muted' }, 'The recruiter reviews them and shares the results with you; this page shows no scores.'),
    ),
  );
  ui.progress.textContent = msg.ended_early ? 'Interview ended' : 'Interview complete';
  ui.progress.hidden = false;
  showView('summary');
  updateComposer();
  ui.summaryView.querySelector('h1')?.focus();
}

function renderSummary() {
  // Drawn at the width it will be shown at (the main column minus the panel's padding).
  const width = Math.round(clamp(document.getElementById('main').clientWidth - 72, 260, 640));
  const actions = {
    onNewInterview: newInterview,
    onDownload: downloadReport,
    historyHref: state.profile ? '/me' : null,
  };
  replaceChildren(ui.summaryView, summaryPanel(state.summary, titleOf, actions, width));
}

/** Saves the printable report (`/api/sessions/{id}/report`, read with the resume token). */
async function downloadReport() {
  const { session_id: id, resume_token: token } = state.session ?? {};
  if (!id) return;
  try {
    const res = await fetch(`/api/sessions/${encodeURIComponent(id)}/report`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const url = URL.createObjectURL(await res.blob());
    const a = h('a', { href: url, download: `rehearse-report-${id}.html`, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (err) {
    notify(`Could not download the report (${err.message}).`);
  }
}

function onError(msg) {
  const code = String(msg.code ?? '');
  switch (code) {
    case 'session_taken_over':
      // Another tab resumed this interview. Reconnecting automatically would steal it back
      // and forth forever, so wait for the candidate to ask: the composer says so and offers
      // "Continue here" in place of Send and Skip.
      state.halted = true;
      updateComposer();
      break;
    case 'unknown_session':
    case 'invalid_resume_token':
      notify(`Your earlier interview could not be resumed: ${msg.message}`, { code });
      newInterview();
      break;
    case 'session_erased':
      // Nothing of it is left to resume: start afresh rather than reconnect to it.
      notify(msg.message, { code });
      newInterview();
      break;
    case 'storage_unavailable':
    case 'rate_limited':
    case 'internal':
      notify(msg.message, { code });
      // The answer (if that is what failed) was not stored: send it again shortly.
      state.inflight = null;
      scheduleResend();
      break;
    case 'invite_invalid':
    case 'invite_expired':
    case 'invite_used_up':
    case 'invite_revoked':
      if (state.invite) showInviteError(msg.message);
      else notify(msg.message, { code });
      break;
    case 'empty_answer':
    case 'answer_too_long':
    case 'not_expecting_answer':
    case 'interview_finished':
      notify(msg.message, { code });
      if (state.inflight) refuseAnswer(state.inflight, code);
      break;
    default:
      notify(msg.message, { code });
  }
  if (state.starting && !state.attached) startFailed();
  if (state.skipInflight !== null && code !== 'session_taken_over') undoSkip();
}

/** A skip the server did not carry out (rate limited, nothing open…): reopen the question. */
function undoSkip() {
  const view = state.turns.get(state.skipInflight);
  state.skipInflight = null;
  if (view) clearSkipped(view);
  updateComposer();
}

// ---------------------------------------------------------------------------------------------
// Turns: one <li> per turn, created once and updated in place, so repeats are harmless.

/**
 * The view of a turn, created on first sight. `q` is a `question` message or a transcript turn;
 * both carry turn, text, index, follow_up, topic, kind.
 */
function ensureTurn(q) {
  let view = state.turns.get(q.turn);
  if (view) return view;
  const slots = {
    question: h('div', { class: 'slot' }),
    answer: h('div', { class: 'slot' }),
    feedback: h('div', { class: 'slot' }),
    status: h('div', { class: 'slot' }),
    card: h('div', { class: 'slot' }),
  };
  const li = h(
    'li',
    { class: `turn${q.follow_up ? ' follow-up' : ''}`, testid: 'turn', 'data-turn': q.turn, 'data-kind': q.kind },
    Object.values(slots),
  );
  const of = q.of ?? state.planCount ?? '?';
  slots.question.append(questionBubble({ ...q, of }, titleOf(q.topic)));
  view = { turn: q.turn, li, slots, answer: null, skipped: false, evaluated: false, feedback: null };
  state.turns.set(q.turn, view);
  insertInOrder(li, q.turn);
  return view;
}

function insertInOrder(li, turn) {
  const after = [...ui.chatLog.children].find((el) => Number(el.dataset.turn) > turn);
  ui.chatLog.insertBefore(li, after ?? null);
}

function findTurnByAnswerId(id) {
  for (const view of state.turns.values()) if (view.answer?.id === id) return view;
  return null;
}

function showAnswer(view, text, status, id) {
  if (view.answer) {
    if (status === 'saved' && view.answer.status !== 'saved') {
      setAnswerStatus(view.answer.bubble, 'saved');
      view.answer.status = 'saved';
    }
    return;
  }
  clearSkipped(view);
  const bubble = answerBubble(text, status);
  view.answer = { id, text, status, bubble };
  view.slots.answer.append(bubble);
}

function showSkipped(view) {
  if (view.skipped || view.answer) return;
  view.skipped = true;
  view.slots.answer.append(skippedBubble());
}

function clearSkipped(view) {
  if (!view.skipped) return;
  view.skipped = false;
  view.slots.answer.querySelector('[data-testid="skipped"]')?.remove();
}

function showEvaluating(view, on) {
  const existing = view.slots.status.firstChild;
  if (on && !existing && !view.evaluated) {
    const indicator = evaluatingIndicator();
    view.slots.status.append(indicator);
    // A grader that takes a while (an LLM) gets a reassuring word: the answer is safe already.
    clearTimeout(state.slowTimers.get(view.turn));
    state.slowTimers.set(
      view.turn,
      setTimeout(() => indicator.isConnected && markGradingSlow(indicator), SLOW_GRADING_MS),
    );
  }
  if (!on && existing) {
    existing.remove();
    clearTimeout(state.slowTimers.get(view.turn));
    state.slowTimers.delete(view.turn);
  }
}

function showEvaluation(view, evaluation, disclosure = {}) {
  view.evaluated = true;
  showEvaluating(view, false);
  if (view.feedback) {
    view.feedback.done = true;
    view.feedback.bubble.setAttribute('aria-busy', 'false');
  }
  // A later evaluation of the same turn (a regrade, or the question closing) replaces the card.
  replaceChildren(view.slots.card, scoreCard(evaluation, view.turn, disclosure));
}

// ---------------------------------------------------------------------------------------------
// Answering

function openView() {
  return state.openTurn == null ? null : state.turns.get(state.openTurn) ?? null;
}

function expectingAnswer() {
  const view = openView();
  return !state.finished && view !== null && !view.answer && !view.skipped;
}

/** Enables exactly the controls that make sense now. */
function updateComposer() {
  const expecting = expectingAnswer() && !state.halted;
  const connected = state.attached;
  ui.halted.hidden = !state.halted;
  ui.answer.disabled = !expecting;
  ui.send.disabled = !expecting;
  ui.skip.disabled = !expecting || !connected;
  ui.end.disabled = state.finished || !connected || !state.session || state.halted;
  ui.composer.hidden = state.finished;
  ui.hint.textContent = composerHint(expecting, connected);
}

function composerHint(expecting, connected) {
  if (state.halted) return 'Paused here: choose Continue here to answer in this tab.';
  if (expecting && !connected) return 'Offline — your answer will be sent when the connection is back.';
  if (expecting) return 'Ctrl+Enter (⌘+Enter) sends.';
  if (!connected && state.session) return 'Reconnecting…';
  const view = openView();
  if (view?.answer && !view.evaluated && !state.scoresHidden) return 'Waiting for feedback…';
  return 'Waiting for the next question…';
}

function sendAnswer() {
  if (!expectingAnswer()) return;
  const text = ui.answer.value;
  if (!text.trim()) {
    notify('Write an answer first, or press Skip.', { code: 'empty_answer' });
    return;
  }
  const view = openView();
  const entry = {
    session_id: state.session.session_id,
    client_msg_id: newId(),
    text,
    turn: view.turn,
  };
  // Stored before it is sent: a reload or a dropped connection from here on cannot lose it.
  storage.addPending(entry);
  showAnswer(view, text, 'sending', entry.client_msg_id);
  ui.answer.value = '';
  storage.saveDraft(entry.session_id, view.turn, '');
  transmit(entry);
  updateComposer();
}

function transmit(entry) {
  if (!state.attached) return; // sent by flushPending() after the next resume
  if (socket.send({ type: 'answer', text: entry.text, client_msg_id: entry.client_msg_id })) {
    state.inflight = entry.client_msg_id;
  }
}

/** After a reload: answers that never got their ack are shown again as "sending…". */
function restorePendingAnswers() {
  for (const p of storage.loadPending(state.session.session_id)) {
    const view = state.turns.get(p.turn);
    if (view && !view.answer) showAnswer(view, p.text, 'sending', p.client_msg_id);
  }
}

/** Resends every unacknowledged answer; the server acks ids it already stored without duplicating. */
function flushPending() {
  if (!state.session) return;
  for (const p of storage.loadPending(state.session.session_id)) transmit(p);
}

function scheduleResend() {
  clearTimeout(state.resendTimer);
  state.resendTimer = setTimeout(flushPending, RESEND_DELAY_MS);
}

/** The server refused the answer for good (empty, too long, or nothing open): give it back. */
function refuseAnswer(clientMsgId, code) {
  storage.removePending(clientMsgId);
  state.inflight = null;
  const view = findTurnByAnswerId(clientMsgId);
  if (!view) return;
  if (code === 'empty_answer' || code === 'answer_too_long') {
    // Let the candidate fix it: put the text back in the box.
    if (!ui.answer.value) ui.answer.value = view.answer.text;
    view.answer.bubble.remove();
    view.answer = null;
  } else {
    setAnswerStatus(view.answer.bubble, 'refused');
    view.answer.status = 'refused';
  }
  updateComposer();
}

function skipQuestion() {
  const view = openView();
  if (!expectingAnswer() || !socket.send({ type: 'skip' })) return;
  showSkipped(view);
  state.skipInflight = view.turn;
  updateComposer();
}

/** Two clicks to end: the first arms the button for a few seconds (no blocking confirm()). */
function endInterview() {
  if (!state.endArmedTimer) {
    ui.end.textContent = 'Click again to end';
    ui.end.classList.add('armed');
    state.endArmedTimer = setTimeout(disarmEnd, END_CONFIRM_MS);
    return;
  }
  disarmEnd();
  socket.send({ type: 'end' });
}

function disarmEnd() {
  clearTimeout(state.endArmedTimer);
  state.endArmedTimer = null;
  ui.end.textContent = 'End interview';
  ui.end.classList.remove('armed');
}

function continueHere() {
  state.halted = false;
  dismissNotices('session_taken_over');
  socket.connect();
}

/** "Start a new interview": forget the old one completely. */
function newInterview() {
  storage.clearSession();
  socket.close();
  state.session = null;
  state.attached = false;
  state.planCount = null;
  resetInterview();
  ui.progress.hidden = true;
  showView('start');
  if (state.catalog) updateCountLimit();
  ui.startForm.querySelector('input, select')?.focus();
}

function resetInterview() {
  state.finished = false;
  state.openTurn = null;
  state.inflight = null;
  state.skipInflight = null;
  state.summary = null;
  state.turns.clear();
  clearTimeout(state.resendTimer);
  ui.chatLog.replaceChildren();
  ui.summaryView.replaceChildren();
  ui.answer.value = '';
  updateComposer();
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function showView(name) {
  ui.startView.hidden = name !== 'start';
  ui.inviteView.hidden = name !== 'invite';
  ui.summaryView.hidden = name !== 'summary';
  // The transcript stays visible under the summary.
  ui.chatView.hidden = name === 'start' || name === 'invite';
  document.body.dataset.view = name;
}

function scrollBehavior() {
  return matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth';
}

function titleOf(topicId) {
  return state.titles.get(topicId) ?? String(topicId);
}

function capitalise(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A UUID v4; crypto.randomUUID exists only in secure contexts, getRandomValues everywhere. */
function newId() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A non-blocking notice. Disappears after a while unless sticky; always dismissable.
 * `action` adds a button ({label, run}).
 */
function notify(message, { code = '', sticky = false, action = null } = {}) {
  const close = () => notice.remove();
  const notice = h(
    'div',
    { class: 'notice', testid: 'notice', 'data-code': code, role: 'alert' },
    h('p', { class: 'notice-text' }, String(message ?? 'Something went wrong.')),
    action ? h('button', { type: 'button', class: 'ghost', onclick: action.run }, action.label) : null,
    h('button', { type: 'button', class: 'notice-close', 'aria-label': 'Dismiss', onclick: close }, '×'),
  );
  ui.notices.append(notice);
  if (!sticky) setTimeout(close, NOTICE_MS);
}

function dismissNotices(code) {
  for (const el of ui.notices.querySelectorAll(`[data-code="${code}"]`)) el.remove();
}
