// Browser test of the staff pages (/admin), against the real server binary, in headless Chromium:
// a candidate's interview on the chat page, then an admin logs in with a token made by the CLI,
// finds the session, reads the transcript and reviews an answer.
// Run: npm ci && REHEARSE_BIN=/work/main/target/debug/rehearse node --test

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, launchBrowser, openPage, gradedInterview, assertClean, withServerLog } from './harness.js';

// Markup in an answer must reach the reviewer as text, never as HTML (a dialog would fail the test).
const ANSWER =
  'A generator is a function that uses yield, so it produces values lazily, one at a time, and keeps its state between calls. ' +
  'For example, reading a huge file line by line does not load it into memory. <img src=x onerror=alert(1)>';

let server;
let browser;
let token;

before(async () => {
  server = new Server();
  token = await server.createToken('admin', 'e2e');
  await server.start();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.cleanup();
});

test('an admin logs in with a pasted token, opens a transcript and reviews an answer', { timeout: 90_000 }, withServerLog(() => server, async () => {
  const sessionId = await gradedInterview(browser, server.url, { name: 'Ada', answer: ANSWER });

  const { context, page, watch } = await openPage(browser, server.url);
  try {
    // Without a login every page sends the browser to the login form.
    await page.goto('/admin/sessions');
    assert.equal(new URL(page.url()).pathname, '/admin/login');

    await page.getByTestId('login-token').fill(token);
    await page.getByTestId('login-submit').click();
    await page.waitForURL('**/admin/sessions');
    assert.match(await page.getByTestId('whoami').textContent(), /e2e\s+admin/);
    assert.equal(await page.getByTestId('nav-rubrics').count(), 1, 'admins see Rubrics');

    // The list: the interview is there, newest first by default; open its transcript.
    const row = page.getByTestId('session-row').filter({ hasText: 'Ada' });
    assert.equal(await row.count(), 1);
    await row.getByTestId('session-link').click();
    await page.waitForURL(`**/admin/sessions/${sessionId}`);
    assert.equal(await page.getByTestId('candidate').textContent(), 'Ada');

    const turn = page.locator('[data-testid=turn][data-turn="1"]');
    assert.equal(await turn.getByTestId('answer').textContent(), ANSWER, 'the answer is shown as text, markup included');
    assert.equal(await turn.locator('[data-testid=answer] img').count(), 0);
    assert.ok((await page.getByTestId('chart-bar').count()) >= 2, 'charts by question and by topic');

    // Review: lower the first criterion, add a comment.
    const before = await turn.getByTestId('criterion-score').first().textContent();
    const [score, max] = before.split('/').map(Number);
    const lowered = score > 1 ? score - 1 : score + 1;
    await turn.getByTestId('review-toggle').click();
    const form = turn.getByTestId('review-form');
    await form.locator('select').first().selectOption(String(lowered));
    await form.getByTestId('review-comment').fill('Too generous: no mention of send() or close().');
    await form.getByTestId('review-submit').click();
    await page.waitForURL(`**/admin/sessions/${sessionId}#turn-1`);

    // The review is the current evaluation and the newest entry of the audit trail.
    const reviewed = page.locator('[data-testid=turn][data-turn="1"]');
    assert.equal(await reviewed.getByTestId('criterion-score').first().textContent(), `${lowered}/${max}`);
    assert.match(await reviewed.getByTestId('evaluation').textContent(), /by human review/);
    const entries = reviewed.getByTestId('trail-entry');
    assert.ok((await entries.count()) >= 2, 'the earlier evaluation stays in the trail');
    const newest = entries.last();
    assert.equal(await newest.getAttribute('data-human'), 'true');
    assert.match(await newest.textContent(), /current/);
    assert.equal(await newest.getByTestId('trail-reviewer').textContent(), 'e2e');
    assert.equal(await newest.getByTestId('trail-comment').textContent(), 'Too generous: no mention of send() or close().');
    assert.equal(await entries.first().getAttribute('data-human'), 'false');

    // The session's score was recomputed from the review; the export accepts the login cookie.
    const csv = await page.request.get(await page.getByTestId('export-csv').getAttribute('href'));
    assert.equal(csv.status(), 200);
    assert.match(await csv.text(), /e2e/);

    // Logging out ends the login.
    await page.getByTestId('logout').click();
    await page.waitForURL('**/admin/login');
    await page.goto('/admin/sessions');
    assert.equal(new URL(page.url()).pathname, '/admin/login');

    await assertClean(page, watch);
  } finally {
    await context.close();
  }
}));
