// Browser tests of rubric administration on the staff pages, against the real server binary in
// headless Chromium: a rubric created from a copy in the page, an assignment set and removed, a
// diff between two versions, and a reviewed answer promoted to a calibration example whose n the
// calibration then counts.
// Run: npm ci && REHEARSE_BIN=/work/main/target/debug/rehearse node --test rubrics.test.js

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, launchBrowser, openPage, assertClean, gradedInterview, withServerLog } from './harness.js';

const ANSWER =
  'A generator is a function that uses yield, so it produces values lazily, one at a time, and keeps its state between calls.';

let server;
let browser;
let admin;

before(async () => {
  server = new Server();
  await server.start();
  admin = await server.createToken('admin', 'ada');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.cleanup();
});

async function logIn(page) {
  await page.goto('/admin/login');
  await page.getByTestId('login-token').fill(admin);
  await page.getByTestId('login-submit').click();
  await landOn(page, '/admin/sessions');
}

/** Waits until the page shows `pathAndQuery` (the fragment aside). */
async function landOn(page, pathAndQuery) {
  await page.waitForURL((url) => url.pathname + url.search === pathAndQuery);
}

/** A JSON API call with the admin's token. */
async function api(method, path, body) {
  const response = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

test('an admin creates a rubric from a copy, compares two versions and assigns it', { timeout: 90_000 }, withServerLog(() => server, async () => {
  const { context, page, watch } = await openPage(browser, server.url);
  try {
    await logIn(page);
    await page.goto('/admin/rubrics');

    // Start from a copy of the behavioral rubric: its source, without its id and version.
    await page.getByTestId('copy-select').selectOption('behavioral-star');
    await page.getByTestId('copy-submit').click();
    await landOn(page, '/admin/rubrics?copy=behavioral-star');
    const copied = await page.getByTestId('new-rubric-source').inputValue();
    assert.match(copied, /kinds = \["behavioral"\]/);
    assert.doesNotMatch(copied, /^id = "behavioral-star"/m, 'the copy has no id of its own yet');
    assert.doesNotMatch(copied, /^version = /m, 'versions are numbered by the server');

    // A problem is shown next to the form and nothing is stored.
    await page.getByTestId('new-rubric-id').fill('star-strict');
    await page.getByTestId('new-rubric-source').fill(copied.replace(/^pass_mark = \d+$/m, 'pass_mark = 250'));
    await page.getByTestId('new-rubric-submit').click();
    await page.getByTestId('new-rubric-problems').waitFor();
    assert.match(await page.getByTestId('new-rubric-problem').first().textContent(), /pass_mark/);
    assert.equal((await api('GET', '/api/rubrics/star-strict')).status, 404, 'nothing stored');

    // Fixed, it is stored as version 1 and the browser lands on its page.
    await page.getByTestId('new-rubric-source').fill(copied.replace(/^pass_mark = \d+$/m, 'pass_mark = 75'));
    await page.getByTestId('new-rubric-submit').click();
    await landOn(page, '/admin/rubrics/star-strict?saved=1');
    assert.equal(await page.getByTestId('saved').textContent(), 'Saved as version 1.');
    assert.equal(await page.getByTestId('diff-none').count(), 1, 'one version: nothing to compare');

    // An edit makes version 2; the page compares the previous and the latest version by default.
    const source = await page.getByTestId('rubric-source').inputValue();
    await page.getByTestId('rubric-source').fill(source.replace('pass_mark = 75', 'pass_mark = 80\n# <b>stricter</b> after calibration'));
    await page.getByTestId('rubric-save').click();
    await landOn(page, '/admin/rubrics/star-strict?saved=2');
    assert.equal(await page.getByTestId('diff-summary').textContent(), 'v1 → v2: 2 line(s) added, 1 removed.');
    const removed = page.locator('[data-testid=diff-line][data-change=removed]');
    const added = page.locator('[data-testid=diff-line][data-change=added]');
    assert.equal(await removed.count(), 1);
    assert.match(await removed.textContent(), /pass_mark = 75/);
    assert.deepEqual(
      (await added.allTextContents()).map((t) => t.replace(/^\d+\s*/, '').trim()),
      ['+added: pass_mark = 80', '+added: # <b>stricter</b> after calibration'],
      'markup in the source is shown as text',
    );
    assert.equal(await page.locator('[data-testid=diff] b').count(), 0);

    // Comparing the other way round swaps additions and removals.
    await page.getByTestId('diff-from').selectOption('2');
    await page.getByTestId('diff-to').selectOption('1');
    await page.getByTestId('diff-submit').click();
    await landOn(page, '/admin/rubrics/star-strict?from=2&to=1');
    assert.equal(await page.getByTestId('diff-summary').textContent(), 'v2 → v1: 1 line(s) added, 2 removed.');

    // Assignments: a rubric must grade the kind it is assigned to.
    await page.goto('/admin/rubrics');
    const form = page.getByTestId('assignment-form');
    await form.getByTestId('assign-kind').selectOption('technical');
    await form.getByTestId('assign-topic').selectOption('concurrency');
    await form.getByTestId('assign-rubric').selectOption('star-strict');
    await form.getByTestId('assign-submit').click();
    await page.getByTestId('assignment-error').waitFor();
    assert.match(await page.getByTestId('assignment-error').textContent(), /does not grade technical questions/);
    assert.equal(await page.getByTestId('assign-rubric').inputValue(), 'star-strict', 'the choice is kept');

    await page.getByTestId('assign-kind').selectOption('behavioral');
    await page.getByTestId('assign-topic').selectOption('behavioral');
    await page.getByTestId('assign-submit').click();
    await landOn(page, '/admin/rubrics?assigned=1');
    const row = page.locator('[data-testid=assignment-row][data-kind=behavioral][data-topic=behavioral]');
    assert.equal(await row.getAttribute('data-rubric'), 'star-strict');
    assert.deepEqual((await api('GET', '/api/rubric-assignments')).body, [
      { kind: 'behavioral', topic: 'behavioral', rubric_id: 'star-strict' },
    ]);

    // Removing it leaves the kind to its shipped default.
    await row.getByTestId('assignment-remove').click();
    await row.waitFor({ state: 'detached' });
    assert.equal(await page.locator('[data-testid=assignment-row][data-topic=behavioral]').count(), 0);
    assert.equal(
      await page.locator('[data-testid=assignment-row][data-kind=behavioral][data-topic=""]').getAttribute('data-rubric'),
      'behavioral-star',
    );
    assert.deepEqual((await api('GET', '/api/rubric-assignments')).body, []);

    await assertClean(page, watch, [/status of 422/]);
  } finally {
    await context.close();
  }
}));

test('an admin promotes a reviewed answer from the transcript and calibration counts it', { timeout: 90_000 }, withServerLog(() => server, async () => {
  const sessionId = await gradedInterview(browser, server.url, { name: 'Grace', answer: ANSWER });
  const { context, page, watch } = await openPage(browser, server.url);
  try {
    await logIn(page);

    // Three shipped examples: too few for a correlation, and the page says so.
    await page.goto('/admin/rubrics/technical');
    await page.getByTestId('calibrate-submit').click();
    await landOn(page, '/admin/rubrics/technical/calibrate');
    assert.equal(await page.getByTestId('calibration-n').textContent(), '3');
    assert.equal(await page.getByTestId('calibration-spearman').textContent(), 'not enough examples (3 of 8)');

    // Without a review the transcript offers nothing; after one, admins get the button.
    await page.goto(`/admin/sessions/${sessionId}`);
    const turn = page.locator('[data-testid=turn][data-turn="1"]');
    assert.equal(await turn.getByTestId('promote-form').count(), 0);
    const review = await api('POST', `/api/sessions/${sessionId}/turns/1/review`, { overall: 58, comment: 'Lazy evaluation explained; no example.' });
    assert.equal(review.status, 201, JSON.stringify(review.body));
    await page.reload();
    const offer = page.locator('[data-testid=turn][data-turn="1"]').getByTestId('promote-form');
    assert.match(await offer.textContent(), /scores this answer 58\/100/);
    await offer.getByTestId('promote-submit').click();

    // It lands on the rubric's calibration, counted in n.
    await landOn(page, '/admin/rubrics/technical?added=2');
    assert.equal(
      await page.getByTestId('calibration-notice').textContent(),
      'The reviewed answer is now calibration example 4 (saved as version 2).',
    );
    assert.equal(await page.getByTestId('examples-count').textContent(), '4');
    await page.getByTestId('calibrate-submit').click();
    await landOn(page, '/admin/rubrics/technical/calibrate');
    assert.equal(await page.getByTestId('calibration-n').textContent(), '4');
    assert.equal(await page.getByTestId('calibration-spearman').textContent(), 'not enough examples (4 of 8)');
    const rows = page.getByTestId('calibration-row');
    assert.equal(await rows.count(), 4);
    assert.match(await rows.last().textContent(), /58/);

    // The same answer twice is refused with a reason.
    await page.goto(`/admin/sessions/${sessionId}`);
    await page.locator('[data-testid=turn][data-turn="1"]').getByTestId('promote-submit').click();
    await page.getByTestId('error-message').waitFor();
    assert.match(await page.getByTestId('error-message').textContent(), /already calibration example 4 of rubric `technical`/);

    await assertClean(page, watch, [/status of 409/]);
  } finally {
    await context.close();
  }
}));
