// The practice history page (`/me`) and a question to study (`/me/questions/{id}`). The profile's
// key lives in this browser (storage.js); a recovery link `/me#key=…` restores it here. Every
// request sends the key as the bearer token; the server stores only its hash.

import { h, replaceChildren } from './dom.js';
import * as storage from './storage.js';
import { trendChart, historyTable, missedList, starMissedList, dueList, studyView } from './history.js';

const main = document.getElementById('main');
const notices = document.getElementById('notices');

boot();

async function boot() {
  restoreFromLink();
  const profile = storage.loadProfile();
  if (!profile) {
    replaceChildren(
      main,
      h('h1', {}, 'My practice history'),
      h('p', { testid: 'no-profile' }, 'There is no practice profile in this browser yet. ', h('a', { href: '/' }, 'Start an interview'), ' to create one, or open your private recovery link here.'),
    );
    return;
  }
  const question = location.pathname.match(/^\/me\/questions\/([^/]+)$/);
  try {
    if (question) await showQuestion(profile, decodeURIComponent(question[1]));
    else await showHistory(profile);
  } catch (err) {
    if (err.status === 401) {
      replaceChildren(
        main,
        h('h1', {}, 'My practice history'),
        h('p', { testid: 'profile-gone' }, 'This browser holds a practice profile that no longer exists (it may have been deleted). ', h('a', { href: '/' }, 'Start a new interview'), ' to create a new one.'),
      );
      storage.clearProfile();
      return;
    }
    replaceChildren(main, h('h1', {}, 'My practice history'), h('p', { class: 'error-text', role: 'alert' }, `Could not load your history (${err.message}).`));
  }
}

/** `/me#key=rhp_…`: keeps the key in this browser and removes it from the address bar. */
function restoreFromLink() {
  const key = new URLSearchParams(location.hash.slice(1)).get('key');
  if (!key || !key.startsWith('rhp_')) return;
  const current = storage.loadProfile();
  if (current?.key !== key) storage.saveProfile({ key, profile_id: null, shown: true });
  history.replaceState(history.state, '', location.pathname + location.search);
  notify('Your practice profile is restored in this browser.', 'info');
}

async function api(profile, path, options = {}) {
  const res = await fetch(path, {
    ...options,
    headers: { accept: 'application/json', authorization: `Bearer ${profile.key}`, ...(options.headers ?? {}) },
  });
  if (!res.ok) {
    const body = await res.json().catch(() => null);
    const err = new Error(body?.message ?? `HTTP ${res.status}`);
    err.status = res.status;
    throw err;
  }
  return res;
}

async function showHistory(profile) {
  const [me, sessions, progress] = await Promise.all(
    ['/api/me', '/api/me/sessions', '/api/me/progress'].map((p) => api(profile, p).then((r) => r.json())),
  );
  const width = Math.round(Math.min(640, Math.max(300, main.clientWidth - 8)));
  replaceChildren(
    main,
    h('h1', {}, 'My practice history'),
    h(
      'p',
      { class: 'muted', testid: 'history-overview' },
      `${me.interviews} interview${me.interviews === 1 ? '' : 's'}, ${me.finished} finished · ${me.due_now} question${me.due_now === 1 ? '' : 's'} due for review`,
    ),
    h('p', { class: 'form-actions' }, h('a', { class: 'button primary', href: '/', testid: 'practise-link' }, me.due_now ? 'Practise my weak spots' : 'Start an interview')),
    h('h2', {}, 'Scores by topic over time'),
    trendChart(progress.trend, width),
    h('h2', {}, 'Interviews'),
    historyTable(sessions, (id) => downloadReport(profile, id)),
    h('h2', {}, 'Key points missed most often'),
    missedList(progress.missed_key_points),
    progress.missed_star_parts.length ? [h('h2', {}, 'STAR parts missed'), starMissedList(progress.missed_star_parts)] : null,
    h('h2', {}, 'Due for review'),
    dueList(progress.due),
    h('h2', {}, 'Your data'),
    h(
      'p',
      { class: 'form-actions' },
      h('button', { type: 'button', class: 'ghost', testid: 'export-profile', onclick: () => exportProfile(profile) }, 'Export (JSON)'),
      deleteButton(profile),
    ),
  );
}

async function showQuestion(profile, id) {
  const q = await (await api(profile, `/api/me/questions/${encodeURIComponent(id)}`)).json();
  replaceChildren(main, studyView(q));
}

async function downloadReport(profile, sessionId) {
  try {
    const res = await api(profile, `/api/sessions/${encodeURIComponent(sessionId)}/report`, { headers: { accept: 'text/html' } });
    save(await res.blob(), `rehearse-report-${sessionId}.html`);
  } catch (err) {
    notify(`Could not download the report (${err.message}).`);
  }
}

async function exportProfile(profile) {
  try {
    const res = await api(profile, '/api/me/export');
    save(await res.blob(), 'rehearse-profile.json');
  } catch (err) {
    notify(`Could not export your profile (${err.message}).`);
  }
}

function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Two clicks to delete (the first arms the button), then everything is erased. */
function deleteButton(profile) {
  let armed = null;
  const button = h('button', { type: 'button', class: 'ghost danger', testid: 'delete-profile' }, 'Delete my history');
  button.addEventListener('click', async () => {
    if (!armed) {
      button.textContent = 'Click again to erase every interview';
      armed = setTimeout(() => {
        armed = null;
        button.textContent = 'Delete my history';
      }, 5000);
      return;
    }
    clearTimeout(armed);
    try {
      const erased = await (await api(profile, '/api/me', { method: 'DELETE' })).json();
      storage.clearProfile();
      replaceChildren(
        main,
        h('h1', {}, 'My practice history'),
        h(
          'p',
          { testid: 'profile-deleted', role: 'status' },
          `Your practice profile is deleted: ${erased.erased_interviews} interview${erased.erased_interviews === 1 ? '' : 's'} erased` +
            (erased.detached_invite_interviews ? `, ${erased.detached_invite_interviews} recruiter interview(s) detached (they stay with the recruiter).` : '.'),
        ),
        h('p', {}, h('a', { href: '/' }, 'Back to practice')),
      );
    } catch (err) {
      notify(`Could not delete your profile (${err.message}).`);
    }
  });
  return button;
}

function notify(message, kind = 'error') {
  const close = () => notice.remove();
  const notice = h(
    'div',
    { class: `notice ${kind}`, testid: 'notice', role: kind === 'error' ? 'alert' : 'status' },
    h('p', { class: 'notice-text' }, message),
    h('button', { type: 'button', class: 'notice-close', 'aria-label': 'Dismiss', onclick: close }, '×'),
  );
  notices.append(notice);
  setTimeout(close, 8000);
}

