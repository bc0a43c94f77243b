// Browser tests of practice across interviews and of the chat page's finish: the practice profile
// and its one-time recovery link, the history page (/me) with its SVG trend at phone width, the
// weak-spot picker, the report download, drafts, a tab taken over elsewhere, slow grading, the
// summary's honesty (pass mark, ended early), code shown as code, and accessibility basics.
// Run: npm ci && REHEARSE_BIN=/work/main/target/debug/rehearse node --test

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { Server, launchBrowser, openPage, received, assertClean, withServerLog, shownText } from './harness.js';
import { startMockLlm } from './mock_llm.js';

const PARTIAL = 'You install packages into a virtual environment so that projects do not clash.';
const LONG_STORY =
  'When I joined the data platform team as its second engineer, every nightly pipeline was failing at least twice a week and the analysts had stopped trusting the dashboards. ' +
  'It was on me to get the nightly loads reliable again before the quarterly planning review that the whole company depended on. ' +
  'I added retries with backoff around the flaky warehouse calls, wrote integration tests for the three worst jobs, and set up an alert that paged me before the analysts noticed anything. ' +
  'Within a month the failures dropped from eight a month to none, and the planning review ran on dashboards everyone trusted again.';

let server;
let browser;

before(async () => {
  server = new Server();
  await server.start();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.cleanup();
});

const run = (fn) => withServerLog(() => server, fn);

/** Picks topics, level and count on the start form, starts, and waits for the first question. */
async function startInterview(page, topics, level, count) {
  await page.goto('/');
  for (const t of topics) await page.getByTestId(`topic-${t}`).check();
  await page.getByTestId('level').selectOption(level);
  await page.getByTestId('count').fill(String(count));
  await page.getByTestId('count').blur();
  await page.getByTestId('start-button').click();
  await page.locator('[data-testid=answer-input]:not([disabled])').waitFor();
}

test('a first visit creates a practice profile and shows its recovery link once; the count starts at the catalog default', { timeout: 60_000 }, run(async () => {
  const { context, page, watch } = await openPage(browser, server.url);
  try {
    await page.goto('/');
    await page.getByTestId('profile-created').waitFor();
    const key = await page.evaluate(() => JSON.parse(localStorage.getItem('rehearse.profile')).key);
    assert.match(key, /^rhp_[0-9a-f]{64}$/);
    assert.equal(await page.getByTestId('recovery-link').textContent(), `${server.url}/me#key=${key}`);
    assert.equal(await page.locator('#start-view h1').count(), 1);

    // The count shows the catalog's default before and after a topic is ticked.
    const catalog = await (await page.request.get('/api/catalog')).json();
    assert.equal(await page.getByTestId('count').inputValue(), String(catalog.default_count));
    await page.getByTestId('topic-ecosystem').check();
    assert.equal(await page.getByTestId('count').inputValue(), String(catalog.default_count));

    // Shown once: a reload keeps the profile and no longer shows the key.
    await page.reload();
    await page.getByTestId('profile-line').waitFor();
    assert.equal(await page.getByTestId('profile-created').isHidden(), true);
    assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('rehearse.profile')).key), key);
    await assertClean(page, watch);
  } finally {
    await context.close();
  }
}));

test('a draft survives a reload; a tab taken over elsewhere pauses with Continue here; notices keep clear of the controls', { timeout: 60_000 }, run(async () => {
  const { context, page, watch } = await openPage(browser, server.url);
  try {
    await page.setViewportSize({ width: 1280, height: 800 });
    await startInterview(page, ['ecosystem'], 'junior', 2);
    await page.getByTestId('answer-input').fill('half an answer, not sent yet');
    await page.reload();
    await page.locator('[data-testid=answer-input]:not([disabled])').waitFor();
    assert.equal(await page.getByTestId('answer-input').inputValue(), 'half an answer, not sent yet');

    // A second tab of the same browser resumes the interview: the first one pauses.
    const second = await context.newPage();
    await second.goto(server.url + '/');
    await second.locator('[data-testid=answer-input]:not([disabled])').waitFor();
    await page.getByTestId('composer-halted').waitFor();
    assert.equal(await page.getByTestId('answer-input').isDisabled(), true);
    assert.equal(await page.getByTestId('send-button').isDisabled(), true);
    assert.match(await page.getByTestId('composer-hint').textContent(), /Continue here/);

    // A notice in the active tab does not cover Send, Skip or End.
    await second.getByTestId('answer-input').fill('');
    await second.getByTestId('send-button').click();
    const notice = await second.getByTestId('notice').first().boundingBox();
    for (const id of ['send-button', 'skip-button', 'end-button']) {
      const b = await second.getByTestId(id).boundingBox();
      const overlaps = notice.x < b.x + b.width && b.x < notice.x + notice.width && notice.y < b.y + b.height && b.y < notice.y + notice.height;
      assert.equal(overlaps, false, `the notice covers ${id}`);
    }

    // "Continue here" takes the interview back.
    await page.getByTestId('continue-here').click();
    await page.locator('[data-testid=answer-input]:not([disabled])').waitFor();
    assert.equal(await page.getByTestId('composer-halted').isHidden(), true);
    await second.getByTestId('composer-halted').waitFor();
    await assertClean(page, watch);
  } finally {
    await context.close();
  }
}));

test('an interview ended early: its summary says so, shows the pass mark and scores, and downloads a report; every view has an h1', { timeout: 60_000 }, run(async () => {
  const { context, page, watch } = await openPage(browser, server.url);
  try {
    await startInterview(page, ['ecosystem', 'behavioral'], 'junior', 4);
    assert.equal(await page.locator('#chat-view h1').count(), 1);
    // The transcript is a plain list (its items have a valid parent), not a live region.
    assert.equal(await page.getByTestId('chat-log').getAttribute('role'), null);

    const first = received(watch, 'question')[0];
    await page.evaluate(() => {
      window.__announced = [];
      const el = document.getElementById('announcer');
      new MutationObserver(() => window.__announced.push(el.textContent)).observe(el, { childList: true, characterData: true, subtree: true });
    });
    await page.getByTestId('answer-input').fill(first.kind === 'behavioral' ? LONG_STORY : PARTIAL);
    await page.getByTestId('send-button').click();
    await page.getByTestId('score-card').first().waitFor();
    // Screen readers hear one short line, not the whole card; the card is outside live regions.
    await page.waitForFunction(() => window.__announced.some((t) => /^Scored \d+ out of 100/.test(t)));
    assert.ok(await page.evaluate(() => window.__announced.every((t) => t.length < 120)), 'announcements stay short');
    assert.equal(await page.getByTestId('score-card').first().evaluate((el) => el.closest('[aria-live], [role=log], [role=status]')), null);

    await page.getByTestId('end-button').click();
    await page.getByTestId('end-button').click();
    await page.getByTestId('summary').waitFor();
    const summary = received(watch, 'summary').at(-1);
    assert.equal(summary.ended_early, true);
    assert.equal(await page.locator('#summary-view h1').textContent(), 'Interview ended');
    assert.equal(await page.getByTestId('progress').textContent(), 'Interview ended');
    // The summary takes the focus, so it is what the candidate sees (and hears) first.
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Interview ended');
    const note = await page.getByTestId('summary-ended-early').textContent();
    assert.ok(note.includes(`${summary.reached} of 4 questions`), note);
    for (const t of summary.topics_not_reached) assert.ok(note.includes(t === 'behavioral' ? 'Behavioral' : 'Ecosystem'), note);
    assert.equal(await page.getByTestId('summary-pass-mark').textContent(), `pass mark ${summary.pass_mark}`);
    const scores = await page.getByTestId('review-score').allTextContents();
    assert.deepEqual(scores, summary.review.map((r) => (r.skipped ? 'Skipped' : `${r.overall}/100`)));
    const strengths = await page.locator('[data-testid=summary-strengths] li').allTextContents();
    assert.equal(new Set(strengths).size, strengths.length, 'no strength is listed twice');
    const focusEmpty = await page.locator('p[data-testid=summary-focus]').count();
    if (focusEmpty) {
      const text = await page.locator('p[data-testid=summary-focus]').textContent();
      assert.equal(text.startsWith('Nothing to focus on'), summary.passed && summary.topics_to_review.length === 0, text);
    }

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-report').click()]);
    const html = await readFile(await download.path(), 'utf8');
    assert.ok(html.startsWith('<!doctype html>'));
    assert.ok(html.includes('Interview report') && html.includes('Model answer'), 'the report has the questions and model answers');
    assert.ok(html.includes('@media print'), 'the report prints cleanly');
    await assertClean(page, watch);
  } finally {
    await context.close();
  }
}));

test('the history page: interviews, a trend chart readable at 390 px, missed points linking to their model answer, recovery, export and deletion', { timeout: 90_000 }, run(async () => {
  const { context, page, watch } = await openPage(browser, server.url);
  try {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/');
    await page.getByTestId('topic-ecosystem').check();
    await page.getByTestId('level').selectOption('junior');
    await page.getByTestId('count').fill('1');
    await page.getByTestId('count').blur();
    await page.getByTestId('start-button').click();
    // One partial answer, then skip follow-ups until the summary.
    await page.locator('[data-testid=answer-input]:not([disabled])').waitFor();
    await page.getByTestId('answer-input').fill(PARTIAL);
    await page.getByTestId('send-button').click();
    for (;;) {
      await page.waitForFunction(() => document.querySelector('[data-testid=summary]') || !document.querySelector('[data-testid=skip-button]').disabled);
      if (await page.getByTestId('summary').count()) break;
      await page.getByTestId('skip-button').click();
    }
    const key = await page.evaluate(() => JSON.parse(localStorage.getItem('rehearse.profile')).key);

    await page.getByTestId('history-link').click();
    await page.getByTestId('history-item').waitFor();
    assert.equal(await page.locator('main h1').textContent(), 'My practice history');
    assert.equal(await page.getByTestId('history-item').count(), 1);
    const chart = page.getByTestId('trend-chart');
    assert.equal(await chart.evaluate((el) => el.namespaceURI + ' ' + el.localName), 'http://www.w3.org/2000/svg svg');
    assert.equal(await chart.locator('[data-testid=trend-point]').count(), 1);
    const box = await chart.boundingBox();
    assert.ok(box.width <= 390 && box.width >= 280, `chart width ${box.width}`);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no horizontal scrolling at 390 px');
    const axisFont = await chart.locator('text.chart-axis').first().evaluate((t) => t.getBoundingClientRect().height);
    assert.ok(axisFont >= 9, `axis labels stay readable (${axisFont}px)`);

    // A missed key point links to its question with the model answer.
    await page.getByTestId('missed-point').first().waitFor();
    await page.getByTestId('study-link').first().click();
    await page.getByTestId('study-model-answer').waitFor();
    assert.ok((await page.getByTestId('study-model-answer').textContent()).length > 100);
    assert.equal(await page.locator('main h1').count(), 1);

    // The recovery link restores the profile in another browser.
    const other = await browser.newContext({ baseURL: server.url });
    const otherPage = await other.newPage();
    await otherPage.goto(`/me#key=${key}`);
    await otherPage.getByTestId('history-item').waitFor();
    assert.equal(await otherPage.evaluate(() => location.hash), '');
    assert.equal(await otherPage.evaluate(() => JSON.parse(localStorage.getItem('rehearse.profile')).key), key);

    // Export, then delete: the key stops working.
    await otherPage.getByTestId('export-profile').waitFor();
    const [download] = await Promise.all([otherPage.waitForEvent('download'), otherPage.getByTestId('export-profile').click()]);
    const exported = JSON.parse(await readFile(await download.path(), 'utf8'));
    assert.equal(exported.sessions.length, 1);
    await otherPage.getByTestId('delete-profile').click();
    await otherPage.getByTestId('delete-profile').click();
    await otherPage.getByTestId('profile-deleted').waitFor();
    const me = await otherPage.request.get('/api/me', { headers: { authorization: `Bearer ${key}` } });
    assert.equal(me.status(), 401);
    await other.close();
    await assertClean(page, watch);
  } finally {
    await context.close();
  }
}));

test('weak-spot practice from the picker; code in questions shows as code; long STAR quotes stack; an off-topic answer is not scored', { timeout: 60_000 }, run(async () => {
  const { context, page, watch } = await openPage(browser, server.url);
  try {
    await page.goto('/');
    await page.getByTestId('weak-spots-button').waitFor();
    await page.getByTestId('topic-behavioral').check();
    await page.getByTestId('level').selectOption('junior');
    await page.getByTestId('count').fill('2');
    await page.getByTestId('count').blur();
    await page.getByTestId('weak-spots-button').click();
    await page.locator('[data-testid=answer-input]:not([disabled])').waitFor();
    const [start] = watch.sent.filter((m) => m.type === 'start');
    assert.equal(start.practice, 'weak_spots');

    // A STAR story with long quotes: the chips stack in one column.
    await page.getByTestId('answer-input').fill(LONG_STORY);
    await page.getByTestId('send-button').click();
    const star = page.getByTestId('star').first();
    await star.waitFor();
    assert.match(await star.getAttribute('class'), /stacked/);
    const columns = await star.evaluate((el) => getComputedStyle(el).gridTemplateColumns.split(' ').length);
    assert.equal(columns, 1);
    await context.close();
  } catch (e) {
    await context.close();
    throw e;
  }

  // Code: a question whose text holds inline code shows <code> and no backticks.
  const listed = JSON.parse(await server.cli(['questions', 'list', '--topic', 'concurrency', '--level', 'mid', '--json']));
  assert.ok(listed.some((q) => q.text.includes('`')));
  const second = await openPage(browser, server.url);
  try {
    await startInterview(second.page, ['concurrency'], 'mid', 1);
    const q = received(second.watch, 'question')[0];
    const bubble = second.page.getByTestId('question-text').first();
    const shown = await bubble.textContent();
    assert.ok(!shown.includes('`'), shown);
    assert.equal(shownText(shown), shownText(q.text));
    assert.equal((await bubble.locator('code').count()) > 0, q.text.includes('`'));

    // Off topic: no criterion bar pretends to hold a score.
    await second.page.getByTestId('answer-input').fill('I love hiking in the mountains and cooking pasta with my family on long summer weekends by the lake.');
    await second.page.getByTestId('send-button').click();
    await second.page.getByTestId('score-card').first().waitFor();
    const ev = received(second.watch, 'evaluation')[0].evaluation;
    if (ev.overall === 0 && ev.flags.includes('off_topic')) {
      const widths = await second.page.getByTestId('criterion-bar-fill').evaluateAll((els) => els.map((e) => e.style.width));
      assert.ok(widths.every((w) => w === '0%'), widths.join(','));
      const labels = await second.page.getByTestId('criterion-score').allTextContents();
      assert.ok(labels.every((l) => l === 'not scored'), labels.join(','));
    } else {
      assert.fail(`the built-in grader did not mark the answer off topic: ${JSON.stringify(ev.flags)} ${ev.overall}`);
    }
    await assertClean(second.page, second.watch);
  } finally {
    await second.context.close();
  }
}));

test('when an AI grader takes longer than 5 s, the page says the answer is saved and grading goes on', { timeout: 60_000 }, async () => {
  const llm = await startMockLlm({ judgeDelayMs: 6500 });
  const graded = new Server({
    env: {
      REHEARSE_EVALUATOR: 'llm',
      REHEARSE_LLM__BASE_URL: llm.url,
      REHEARSE_LLM__MODEL: 'mock',
      REHEARSE_LLM__JSON_MODE: 'json_schema',
    },
  });
  await graded.start();
  const { context, page } = await openPage(browser, graded.url);
  try {
    await startInterview(page, ['ecosystem'], 'junior', 1);
    await page.getByTestId('answer-input').fill(PARTIAL);
    await page.getByTestId('send-button').click();
    const slow = page.locator('[data-testid=evaluating][data-slow=true]');
    await slow.waitFor({ timeout: 15_000 });
    assert.equal(await slow.textContent(), 'still grading — your answer is saved');
    await page.getByTestId('score-card').first().waitFor({ timeout: 30_000 });
    assert.equal(await slow.count(), 0);
  } finally {
    await context.close();
    await graded.cleanup();
    await llm.close();
  }
});
