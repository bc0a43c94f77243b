// Browser tests of the recruiter's workflow, against the real server binary in headless Chromium:
// the invites page (create, copy the link, revoke), the candidate's landing page with its notice
// and consent, an interview whose results the invite hides (checked frame by frame), and a
// review on the transcript page that changes the session's score.
// Run: npm ci && REHEARSE_BIN=/work/main/target/debug/rehearse node --test

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, launchBrowser, openPage, received, assertClean, withServerLog } from './harness.js';

const PUBLIC_URL = 'https://interviews.example.com';

let server;
let browser;
let admin;
let recruiter;

before(async () => {
  server = new Server({
    env: {
      REHEARSE_SERVER__PUBLIC_URL: PUBLIC_URL,
      REHEARSE_SERVER__ORGANISATION: 'Acme Hiring',
      REHEARSE_SERVER__RETENTION_DAYS: '45',
    },
  });
  await server.start();
  admin = await server.createToken('admin', 'ada');
  recruiter = await server.createToken('recruiter', 'rita');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.cleanup();
});

async function logIn(page, staffToken) {
  await page.goto('/admin/login');
  await page.getByTestId('login-token').fill(staffToken);
  await page.getByTestId('login-submit').click();
  await page.waitForURL('**/admin/sessions**');
}

/** Creates an invite on the invites page; returns the link the page shows once. */
async function createInvite(page, { candidate, topic, showScores }) {
  await page.goto('/admin/invites');
  const form = page.getByTestId('invite-form');
  if (!(await form.isVisible())) await page.getByTestId('invite-new').locator('summary').click();
  await form.getByTestId('invite-candidate-name').fill(candidate);
  await form.getByTestId(`invite-topic-${topic}`).check();
  await form.getByTestId('invite-level').selectOption('junior');
  await form.getByTestId('invite-count').fill('1');
  if (!showScores) await form.getByTestId('invite-show-scores').uncheck();
  await form.getByTestId('invite-create').click();
  await page.getByTestId('invite-created').waitFor();
  return page.getByTestId('invite-link').inputValue();
}

test('a recruiter creates an invite in the page, copies its absolute link and revokes it', { timeout: 60_000 }, withServerLog(() => server, async () => {
  const { context, page, watch } = await openPage(browser, server.url);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  try {
    await logIn(page, recruiter);
    await page.getByTestId('nav-invites').click();
    await page.waitForURL('**/admin/invites');

    const link = await createInvite(page, { candidate: 'Grace', topic: 'algorithms', showScores: true });
    assert.match(link, new RegExp(`^${PUBLIC_URL}/\\?invite=\\S+$`));
    await page.getByTestId('invite-copy').click();
    await page.locator('[data-copied-for="invite-link"]:not([hidden])').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);

    const row = page.getByTestId('invite-row').filter({ hasText: 'Grace' });
    assert.equal(await row.getByTestId('invite-status').textContent(), 'Unused');
    await row.getByTestId('invite-revoke').click();
    await page.waitForURL('**/admin/invites**');
    const revoked = page.getByTestId('invite-row').filter({ hasText: 'Grace' });
    assert.equal(await revoked.getByTestId('invite-status').textContent(), 'Revoked');
    assert.equal(await revoked.getByTestId('invite-revoke').count(), 0, 'nothing left to revoke');

    // The revoked link, opened by the candidate, says why it cannot be used.
    const candidate = await openPage(browser, server.url);
    try {
      await candidate.page.goto(new URL(link).search ? `/${new URL(link).search}` : '/');
      await candidate.page.getByTestId('invite-error').filter({ hasText: 'withdrawn' }).waitFor();
      assert.equal(await candidate.page.getByTestId('invite-start').isVisible(), false);
    } finally {
      await candidate.context.close();
    }
    await assertClean(page, watch);
  } finally {
    await context.close();
  }
}));

test('the invited candidate agrees to the notice, then sees saved answers and follow-ups but no scores', { timeout: 90_000 }, withServerLog(() => server, async () => {
  const staff = await openPage(browser, server.url);
  let link;
  try {
    await logIn(staff.page, recruiter);
    link = await createInvite(staff.page, { candidate: 'Hedy', topic: 'python-core', showScores: false });
  } finally {
    await staff.context.close();
  }

  const { context, page, watch } = await openPage(browser, server.url);
  try {
    await page.goto(`/${new URL(link).search}`);
    const notice = page.getByTestId('invite-notice');
    await notice.filter({ hasText: 'Acme Hiring invites you' }).waitFor();
    const text = await notice.textContent();
    for (const expected of ['1 main question', 'about 6 minutes', 'graded automatically', 'A recruiter at Acme Hiring', 'erased 45 days after', 'recruiter only']) {
      assert.ok(text.includes(expected), `${expected} missing from the notice: ${text}`);
    }
    assert.equal(await page.getByTestId('invite-join-profile').isVisible(), false, 'hidden results stay out of practice history');
    assert.equal(await page.getByTestId('invite-start').isDisabled(), true, 'no start before agreeing');
    await page.getByTestId('invite-consent').check();
    await page.getByTestId('invite-start').click();

    // Answer whatever is asked until the interview ends.
    for (let n = 1; ; n++) {
      await page.waitForFunction(
        () => document.querySelector('[data-testid=finished]') || !document.querySelector('[data-testid=answer-input]').disabled,
      );
      if (await page.getByTestId('finished').count()) break;
      await page.getByTestId('answer-input').fill(n === 1 ? 'I would use a list and sort it.' : 'I am not sure.');
      await page.getByTestId('send-button').click();
      await page.locator(`[data-testid=turn][data-turn="${n}"] [data-testid=answer]`).first().waitFor();
      assert.ok(n < 10, 'the interview ends');
    }
    assert.match(await page.getByTestId('finished').textContent(), /answers to 1 of 1 question are saved/);
    assert.equal(await page.getByTestId('score-card').count(), 0, 'no score card');
    assert.equal(await page.getByTestId('summary').count(), 0, 'no scored summary');
    assert.equal(await page.getByTestId('feedback').count(), 0, 'no feedback');
    const types = new Set(watch.received.map((m) => m.type));
    for (const hidden of ['evaluation', 'feedback_delta', 'summary']) assert.equal(types.has(hidden), false, `${hidden} frame received`);
    assert.equal(received(watch, 'session')[0].scores_hidden, true);
    assert.equal(received(watch, 'finished').length, 1);
    assert.doesNotMatch(JSON.stringify(watch.received), /"overall"|"key_points"|"model_answer"/);
    await assertClean(page, watch);
  } finally {
    await context.close();
  }
}));

test('a review of a main answer changes the session score, with the rubric anchors in the form', { timeout: 90_000 }, withServerLog(() => server, async () => {
  // A self-started interview of one question, ended right after its graded answer.
  const candidate = await openPage(browser, server.url);
  let sessionId;
  try {
    await candidate.page.goto('/');
    await candidate.page.getByTestId('topic-algorithms').check();
    await candidate.page.getByTestId('level').selectOption('junior');
    await candidate.page.getByTestId('count').fill('1');
    await candidate.page.getByTestId('name').fill('Katherine');
    await candidate.page.getByTestId('start-button').click();
    await candidate.page.getByTestId('answer-input').fill('I would loop over the items and keep a running total.');
    await candidate.page.getByTestId('send-button').click();
    await candidate.page.locator('[data-testid=turn][data-turn="1"] [data-testid=score-card]').waitFor();
    await candidate.page.waitForFunction(
      () => document.querySelector('[data-testid=summary]') || !document.querySelector('[data-testid=answer-input]').disabled,
    );
    if (!(await candidate.page.getByTestId('summary').count())) {
      await candidate.page.getByTestId('end-button').click();
      await candidate.page.getByTestId('end-button').click();
    }
    await candidate.page.getByTestId('summary').waitFor();
    sessionId = received(candidate.watch, 'session')[0].session_id;
  } finally {
    await candidate.context.close();
  }

  const { context, page, watch } = await openPage(browser, server.url);
  try {
    await logIn(page, admin);
    await page.goto(`/admin/sessions/${sessionId}`);
    const turn = page.locator('[data-testid=turn][data-turn="1"]');
    await turn.getByTestId('review-toggle').click();
    const form = turn.getByTestId('review-form');
    // Each score option names its anchor, and the anchors are listed under the criterion.
    const firstOption = await form.locator('select').first().locator('option').first().textContent();
    assert.match(firstOption, /^\d+ — \S/, `the option carries its anchor: ${firstOption}`);
    assert.ok((await form.getByTestId('review-anchors').first().locator('li').count()) >= 2);
    const options = await form.locator('select').first().locator('option').allTextContents();
    const top = options.at(-1).split(' ')[0];
    await form.locator('select').first().selectOption(top);
    await form.locator('textarea[name^="rationale."]').first().fill('Names the invariant and the cost.');
    await form.getByTestId('review-overall').fill('88');
    await form.getByTestId('review-comment').fill('Read it twice: it is right.');
    await form.getByTestId('review-submit').click();
    await page.waitForURL(`**/admin/sessions/${sessionId}#turn-1`);

    assert.match(await page.getByTestId('session-overall').textContent(), /88\/100/);
    const badge = page.locator('[data-testid=turn][data-turn="1"]').getByTestId('question-score');
    assert.match(await badge.textContent(), /counts 88\/100 · reviewed/);
    assert.match(await page.getByTestId('score-rule').textContent(), /review of its latest reviewed answer/);
    const current = page.locator('[data-testid=turn][data-turn="1"]').getByTestId('evaluation');
    assert.match(await current.textContent(), /ada: Names the invariant and the cost\./, "the reviewer's rationale is shown");
    await assertClean(page, watch);
  } finally {
    await context.close();
  }
}));

test('an interview erased by an admin while the candidate is on it ends on the page with the reason', { timeout: 60_000 }, withServerLog(() => server, async () => {
  const { context, page, watch } = await openPage(browser, server.url);
  try {
    await page.goto('/');
    await page.getByTestId('topic-algorithms').check();
    await page.getByTestId('level').selectOption('junior');
    await page.getByTestId('count').fill('2');
    await page.getByTestId('start-button').click();
    await page.locator('[data-testid=turn][data-turn="1"] [data-testid=question-text]').waitFor();
    const sessionId = received(watch, 'session')[0].session_id;

    const res = await fetch(`${server.url}/api/sessions/${sessionId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${admin}` },
    });
    assert.equal(res.status, 200);

    await page.getByTestId('notices').filter({ hasText: 'erased by the organisation' }).waitFor();
    await page.getByTestId('start-view').waitFor();
    const kept = await page.evaluate(() => JSON.stringify(localStorage));
    assert.ok(!kept.includes(sessionId), 'the erased interview is forgotten in the browser too');
    assert.ok(!watch.sent.some((m) => m.type === 'resume'), 'the page does not try to resume an erased interview');
    await assertClean(page, watch);
  } finally {
    await context.close();
  }
}));
