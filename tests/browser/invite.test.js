// Browser test of invite links (`/?invite=TOKEN`) on the candidate chat page, against the real
// server binary, in headless Chromium: the summary and Start, a used-up link, an expired link.
// Run: npm ci && REHEARSE_BIN=/work/main/target/debug/rehearse node --test

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, launchBrowser, openPage, received, assertClean, withServerLog, shownText } from './harness.js';

// Chromium logs every non-2xx fetch; a refused invite check is expected to be one.
const refusedCheck = (status) => new RegExp(`Failed to load resource: the server responded with a status of ${status}`);

let server;
let browser;
let token;

before(async () => {
  server = new Server();
  await server.start();
  token = await server.createToken('admin', 'recruiting');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.cleanup();
});

/** Creates an invite through the API with the admin token; returns its token. */
async function invite(fields) {
  const res = await fetch(`${server.url}/api/invites`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ topics: ['algorithms'], level: 'junior', count: 2, max_uses: 1, ...fields }),
  });
  const body = await res.json();
  assert.equal(res.status, 201, JSON.stringify(body));
  assert.equal(body.link, `/?invite=${body.token}`);
  return body.token;
}

test('an invite link shows its plan, starts the interview once, and is used up afterwards', { timeout: 60_000 }, withServerLog(() => server, async () => {
  const invited = await invite({});
  const version = await noticeVersion(invited);
  const { context, page, watch } = await openPage(browser, server.url);
  try {
    await page.goto(`/?invite=${invited}`);
    await assertText(page.getByTestId('invite-summary'), "You're invited: Algorithms, junior, 2 questions");
    assert.equal(await page.getByTestId('start-view').isHidden(), true, 'no topic picker: the invite fixes the plan');
    assert.equal(await page.getByTestId('invite-name').isVisible(), true, 'the invite names nobody, so the page asks');

    await page.getByTestId('invite-name').fill('Grace');
    // The notice comes first: nothing starts before the candidate agrees to it.
    assert.match(await page.getByTestId('invite-notice').textContent(), /graded automatically/);
    assert.equal(await page.getByTestId('invite-start').isDisabled(), true);
    await page.getByTestId('invite-consent').check();
    await page.getByTestId('invite-start').click();
    await page.locator('[data-testid=turn][data-turn="1"] [data-testid=question-text]').waitFor();
    await assertText(page.getByTestId('progress'), 'Question 1 of 2');
    const [start] = watch.sent.filter((m) => m.type === 'start');
    assert.deepEqual(start, { type: 'start', invite: invited, consent: version, candidate: { name: 'Grace' } });
    const question = received(watch, 'question')[0];
    assert.equal(question.topic, 'algorithms');
    assert.equal(shownText(await page.getByTestId('question-text').first().textContent()), shownText(question.text));

    // The link is forgotten once used: a reload resumes the interview instead of offering the invite.
    assert.equal(new URL(page.url()).search, '');
    await page.reload();
    await page.locator('[data-testid=turn][data-turn="1"] [data-testid=question-text]').waitFor();
    assert.equal(await page.getByTestId('invite-view').isHidden(), true);
    assert.ok(watch.sent.some((m) => m.type === 'resume'), 'the reload resumed');
    await assertClean(page, watch);
  } finally {
    await context.close();
  }

  // The same link again (max_uses 1): the reason, and nothing to start.
  const second = await openPage(browser, server.url);
  try {
    await second.page.goto(`/?invite=${invited}`);
    await assertText(second.page.getByTestId('invite-error'), 'this invite has already been used');
    assert.equal(await second.page.getByTestId('invite-start').isVisible(), false);
    assert.equal(await second.page.getByTestId('start-view').isHidden(), true);
    await assertClean(second.page, second.watch, [refusedCheck(410)]);
  } finally {
    await second.context.close();
  }
}));

test('an invite used up after the page checked it is refused by the server, and the page says so', { timeout: 60_000 }, withServerLog(() => server, async () => {
  const invited = await invite({ candidate_name: 'Linus' });
  const version = await noticeVersion(invited);
  const first = await openPage(browser, server.url);
  const other = await openPage(browser, server.url);
  try {
    await first.page.goto(`/?invite=${invited}`);
    await first.page.getByTestId('invite-summary').waitFor();
    assert.equal(await first.page.getByTestId('invite-name').isVisible(), false, 'the invite already names the candidate');
    assert.match(await first.page.getByTestId('invite-meta').textContent(), /For Linus\./);

    // Someone else starts with the link in the meantime.
    await other.page.goto(`/?invite=${invited}`);
    await other.page.getByTestId('invite-consent').check();
    await other.page.getByTestId('invite-start').click();
    await other.page.locator('[data-testid=turn][data-turn="1"]').waitFor();
    assert.deepEqual(other.watch.sent.find((m) => m.type === 'start'), {
      type: 'start',
      invite: invited,
      consent: version,
    });

    await first.page.getByTestId('invite-consent').check();
    await first.page.getByTestId('invite-start').click();
    await assertText(first.page.getByTestId('invite-error'), 'this invite has already been used');
    const error = received(first.watch, 'error').at(-1);
    assert.equal(error.code, 'invite_used_up');
    assert.equal(await first.page.getByTestId('invite-start').isVisible(), false);
    await assertClean(first.page, first.watch);
    await assertClean(other.page, other.watch);
  } finally {
    await first.context.close();
    await other.context.close();
  }
}));

test('expired and unknown invite links say why they cannot be used', { timeout: 60_000 }, withServerLog(() => server, async () => {
  const expiring = await invite({ expires_in_hours: 0.0003 }); // about a second
  await new Promise((r) => setTimeout(r, 1_500));
  const { context, page, watch } = await openPage(browser, server.url);
  try {
    await page.goto(`/?invite=${expiring}`);
    await assertText(page.getByTestId('invite-error'), 'this invite has expired; ask your recruiter for a new link');
    assert.equal(await page.getByTestId('invite-start').isVisible(), false);

    await page.goto('/?invite=not-a-real-invite');
    await assertText(page.getByTestId('invite-error'), 'this invite link is not valid');
    assert.equal(await page.getByTestId('invite-summary').isVisible(), false);
    await assertClean(page, watch, [refusedCheck(410), refusedCheck(404)]);
  } finally {
    await context.close();
  }
}));

/** The version of an invite's notice, as `POST /api/invites/check` gives it. */
async function noticeVersion(inviteToken) {
  const res = await fetch(`${server.url}/api/invites/check`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: inviteToken }),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(JSON.stringify(body));
  return body.notice.version;
}

async function assertText(locator, expected) {
  await locator.filter({ hasText: expected }).waitFor();
  assert.equal((await locator.textContent()).trim(), expected);
}
