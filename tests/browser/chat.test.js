// Browser tests of the candidate chat page (static/), against the real server binary, in real
// headless Chromium. Run: npm ci && REHEARSE_BIN=/work/main/target/debug/rehearse node --test
//
// What the page shows is checked against what the server actually sent (WebSocket frames recorded
// by Playwright), so a card, chart or transcript that drifts from the protocol fails the test.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, launchBrowser, openPage, received, shownText } from './harness.js';
import { REWRITE, startMockLlm } from './mock_llm.js';

const TECHNICAL_ANSWER =
  'I would use a bounded queue so that producers block when it is full, which gives backpressure. ' +
  'For example queue.Queue(maxsize=100) with four worker threads. Each worker stops when it reads a None sentinel.';
const BEHAVIORAL_ANSWER =
  'In my last job our nightly deploys kept failing and blocked the release. ' +
  'I was responsible for fixing the pipeline before the launch. ' +
  'I added retries, wrote integration tests and paired with the on-call engineer.';
const FOLLOW_UP_ANSWER = 'I would add a sentinel per worker and call task_done after every item, even on errors.';

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

// ---------------------------------------------------------------------------------------------

test('a two-question interview: answers, streamed feedback, score cards and the summary chart', { timeout: 60_000 }, withServerLog(async () => {
  const { context, page, watch } = await openPage(browser, server.url);
  try {
    await page.goto('/');

    // The count is capped by the questions available for the chosen topics at the chosen level.
    const catalog = await (await page.request.get('/api/catalog')).json();
    const available = (topic, level) => catalog.counts.find((c) => c.topic === topic && c.level === level).count;
    await page.getByTestId('topic-concurrency').check();
    await page.getByTestId('level').selectOption('mid');
    await page.getByTestId('count').fill('50');
    await page.getByTestId('count').blur();
    assert.equal(await page.getByTestId('count').inputValue(), String(available('concurrency', 'mid')));

    await page.getByTestId('topic-behavioral').check();
    await page.getByTestId('count').fill('2');
    await page.getByTestId('name').fill('Ada');
    await page.getByTestId('start-button').click();

    await assertText(page.getByTestId('progress'), 'Question 1 of 2');
    const [start] = watch.sent.filter((m) => m.type === 'start');
    // The browser's practice profile goes with the start (created on the first visit).
    assert.match(start.profile, /^rhp_[0-9a-f]{64}$/);
    assert.deepEqual({ ...start, profile: undefined }, { type: 'start', topics: ['concurrency', 'behavioral'], level: 'mid', count: 2, candidate: { name: 'Ada' }, profile: undefined });

    let mainAnswered = 0;
    let followUpsAnswered = 0;
    let followUpsSeen = 0;
    for (let step = 0; step < 12; step++) {
      const q = await nextOpenQuestion(page, watch);
      if (!q) break;
      // The page's turn matches the server's question, and follow-ups are marked as such.
      assert.equal(q.followUp, q.server.follow_up, `follow-up badge of turn ${q.turn}`);
      assert.equal(shownText(q.text), shownText(q.server.text));
      assert.equal(await page.getByTestId('progress').textContent(), `Question ${q.server.index} of 2${q.server.follow_up ? ' · follow-up' : ''}`);
      if (q.followUp) {
        followUpsSeen += 1;
        if (followUpsAnswered === 0) {
          await answerAndCheck(page, watch, q, FOLLOW_UP_ANSWER, 'button');
          followUpsAnswered += 1;
        } else {
          await page.getByTestId('skip-button').click();
          await page.locator(turnSel(q.turn, '[data-testid=skipped]')).waitFor();
        }
      } else {
        const text = q.server.kind === 'behavioral' ? BEHAVIORAL_ANSWER : TECHNICAL_ANSWER;
        // First main answer with Ctrl+Enter, the second with the Send button.
        await answerAndCheck(page, watch, q, text, mainAnswered === 0 ? 'ctrl+enter' : 'button');
        mainAnswered += 1;
      }
    }
    assert.equal(mainAnswered, 2, 'both main questions were answered');
    assert.ok(followUpsSeen >= 1, 'partial answers lead to at least one follow-up question');
    assert.ok(received(watch, 'feedback_delta').length > 0, 'feedback was streamed');

    // Summary: overall, pass state, one chart bar per topic, strengths and focus areas.
    const summary = received(watch, 'summary').at(-1);
    assert.ok(summary, 'the server sent a summary');
    await page.getByTestId('summary').waitFor();
    await checkSummary(page, summary, catalog);
    assert.equal(summary.by_topic.length, 2);
    assert.equal(await page.getByTestId('composer').isHidden(), true, 'no answer box after the summary');

    // "Start a new interview" forgets the stored session and goes back to the start form.
    assert.ok(await storedSession(page));
    await page.getByTestId('new-interview').click();
    await page.getByTestId('start-view').waitFor();
    assert.equal(await storedSession(page), null);
    assert.equal(await page.locator('[data-testid=turn]').count(), 0);

    await assertClean(page, watch);
  } finally {
    await context.close();
  }
}));

test('with an LLM grader, a closed question shows the answer rewritten beside the model answer', { timeout: 60_000 }, async () => {
  const llm = await startMockLlm();
  const graded = new Server({
    env: {
      REHEARSE_EVALUATOR: 'llm',
      REHEARSE_LLM__BASE_URL: llm.url,
      REHEARSE_LLM__MODEL: 'mock',
      REHEARSE_LLM__JSON_MODE: 'json_schema',
    },
  });
  await graded.start();
  const { context, page, watch } = await openPage(browser, graded.url);
  try {
    await page.goto('/');
    await startInterview(page, { topics: ['concurrency'], level: 'junior', count: 1 });
    let answered = 0;
    for (let step = 0; step < 4; step++) {
      const q = await nextOpenQuestion(page, watch);
      if (!q) break;
      await answerAndCheck(page, watch, q, q.followUp ? FOLLOW_UP_ANSWER : TECHNICAL_ANSWER, 'button');
      answered += 1;
    }
    assert.ok(answered >= 2, 'the judge asked a follow-up on the last key point');
    const closed = received(watch, 'evaluation').filter((m) => m.closed);
    assert.equal(closed.length, 1);
    assert.equal(closed[0].evaluation.source, 'llm');
    assert.equal(closed[0].evaluation.rewrite, REWRITE);
    const card = page.locator(turnSel(closed[0].turn, '[data-testid=score-card]'));
    assert.equal(await card.getByTestId('rewrite').locator('summary').textContent(), 'Your answer, made stronger');
    assert.equal(await card.getByTestId('model-answer').count(), 1);
    for (const open of received(watch, 'evaluation').filter((m) => !m.closed)) {
      assert.equal(await page.locator(turnSel(open.turn, '[data-testid=rewrite]')).count(), 0, 'no rewrite while open');
    }
  } finally {
    await context.close();
    await graded.cleanup();
    await llm.close();
  }
});

test('reloading mid-interview resumes the same interview from its transcript', { timeout: 60_000 }, withServerLog(async () => {
  const { context, page, watch } = await openPage(browser, server.url);
  try {
    await page.goto('/');
    await startInterview(page, { topics: ['functions-oop'], level: 'junior', count: 2 });

    // Answer the first main question; skip its follow-ups until the second main question is open.
    const first = await nextOpenQuestion(page, watch);
    assert.equal(first.followUp, false);
    await answerAndCheck(page, watch, first, TECHNICAL_ANSWER, 'ctrl+enter');
    let open = await nextOpenQuestion(page, watch);
    while (open.followUp) {
      await page.getByTestId('skip-button').click();
      open = await nextOpenQuestion(page, watch);
    }
    assert.equal(open.server.index, 2);

    const before = await snapshotTurns(page);
    const session = await storedSession(page);
    assert.ok(session?.session_id && session?.resume_token, 'session id and resume token are stored');
    await assertClean(page, watch);

    const sentBefore = watch.sent.length;
    const receivedBefore = watch.received.length;
    await page.reload();

    // The page resumes by itself: `resume` with the stored id and token, then the transcript.
    const reopened = await nextOpenQuestion(page, watch);
    const sentAfter = watch.sent.slice(sentBefore);
    assert.deepEqual(sentAfter[0], { type: 'resume', ...session });
    assert.ok(watch.received.slice(receivedBefore).some((m) => m.type === 'transcript'), 'a transcript was received');
    assert.equal(reopened.turn, open.turn, 'the same question is open again');
    assert.equal(reopened.text, open.text);
    await assertText(page.getByTestId('progress'), 'Question 2 of 2');

    // Every earlier turn is back: question, answer (saved), skip markers and score cards.
    const afterReload = await snapshotTurns(page);
    assert.deepEqual(afterReload, before, 'the transcript renders the same turns as before the reload');
    const firstTurn = afterReload.find((t) => t.turn === first.turn);
    assert.equal(firstTurn.answer, TECHNICAL_ANSWER);
    assert.equal(firstTurn.status, 'saved');
    assert.ok(firstTurn.score, 'the first answer has its score card again');
    const transcript = watch.received.slice(receivedBefore).find((m) => m.type === 'transcript');
    const firstTurnMessage = transcript.turns.find((t) => t.turn === first.turn);
    assert.equal(firstTurnMessage.closed, true, 'its follow-ups were skipped, so the question is closed');
    await checkScoreCard(page, first.turn, firstTurnMessage);

    // Continue and finish the same interview.
    for (let q = reopened; q; q = await nextOpenQuestion(page, watch)) {
      if (q.followUp) await page.getByTestId('skip-button').click();
      else await answerAndCheck(page, watch, q, TECHNICAL_ANSWER, 'button');
    }
    const summary = received(watch, 'summary').at(-1);
    assert.equal(summary.session_id, session.session_id, 'the resumed interview is the one that finished');
    await page.getByTestId('summary').waitFor();
    assert.equal(await page.locator('[data-testid=topic-bar]').count(), 1);

    await assertClean(page, watch);
  } finally {
    await context.close();
  }
}));

test('an answer containing HTML is shown as literal text and never executed', { timeout: 60_000 }, withServerLog(async () => {
  const { context, page, watch } = await openPage(browser, server.url);
  try {
    await page.goto('/');
    // Two questions, so that a question is still open to end the interview from.
    await startInterview(page, { topics: ['python-core'], level: 'junior', count: 2 });
    const q = await nextOpenQuestion(page, watch);

    const payload = '<img src=x onerror=alert(1)>';
    await answerAndCheck(page, watch, q, payload, 'button');

    const answerText = page.locator(turnSel(q.turn, '[data-testid=answer-text]'));
    assert.equal(await answerText.textContent(), payload, 'the answer is shown literally');
    assert.match(await answerText.innerHTML(), /&lt;img src=x onerror=alert\(1\)&gt;/);
    assert.equal(await page.locator('[data-testid=chat-log] img').count(), 0, 'no <img> element in the chat');
    assert.equal(await page.evaluate(() => document.images.length), 0, 'no <img> element anywhere');

    // End the interview (two clicks: the first only arms the button, without a blocking dialog).
    assert.ok(await nextOpenQuestion(page, watch), 'another question is open');
    await page.getByTestId('end-button').click();
    await assertText(page.getByTestId('end-button'), 'Click again to end');
    await page.getByTestId('end-button').click();
    await page.getByTestId('summary').waitFor();

    // Give a broken image's onerror every chance to fire before concluding.
    await page.waitForTimeout(300);
    assert.deepEqual(watch.dialogs, [], 'no alert() ran');
    await assertClean(page, watch);
  } finally {
    await context.close();
  }
}));

test('a dropped connection reconnects, resumes, and resends an unacknowledged answer', { timeout: 60_000 }, withServerLog(async () => {
  const { context, page, watch } = await openPage(browser, server.url);
  try {
    await page.goto('/');
    await startInterview(page, { topics: ['data-structures'], level: 'junior', count: 1 });
    const q = await nextOpenQuestion(page, watch);
    const session = await storedSession(page);

    // The server dies: the page notices and keeps retrying, and the question stays answerable.
    const port = server.port;
    await server.stop('SIGKILL');
    await page.locator('[data-testid=connection-status][data-state=waiting]').waitFor();
    await page.getByTestId('answer-input').fill(TECHNICAL_ANSWER);
    await page.getByTestId('send-button').click();
    const status = page.locator(turnSel(q.turn, '[data-testid=answer-status]'));
    assert.equal(await status.getAttribute('data-status'), 'sending');
    const pending = await page.evaluate(() => JSON.parse(localStorage.getItem('rehearse.pending')));
    assert.equal(pending.length, 1);
    assert.equal(pending[0].text, TECHNICAL_ANSWER);
    const clientMsgId = pending[0].client_msg_id;

    // It comes back on the same address and database: resume, resend, ack, evaluation.
    const sentBefore = watch.sent.length;
    await server.start(port);
    await page.locator(`${turnSel(q.turn, '[data-testid=answer-status]')}[data-status=saved]`).waitFor();
    await page.locator(turnSel(q.turn, '[data-testid=score-card]')).waitFor();
    const sent = watch.sent.slice(sentBefore);
    assert.deepEqual(sent[0], { type: 'resume', ...session });
    assert.deepEqual(sent.find((m) => m.type === 'answer'), { type: 'answer', text: TECHNICAL_ANSWER, client_msg_id: clientMsgId });
    assert.deepEqual(await page.evaluate(() => JSON.parse(localStorage.getItem('rehearse.pending'))), []);

    // The question re-sent after the resume did not duplicate anything.
    assert.equal(await page.locator(`[data-testid=turn][data-turn="${q.turn}"]`).count(), 1);
    assert.equal(await page.locator(turnSel(q.turn, '[data-testid=answer]')).count(), 1);
    assert.equal(await page.locator(turnSel(q.turn, '[data-testid=question]')).count(), 1);

    // Chromium reports the refused reconnection attempts on the console; nothing else is allowed.
    await assertClean(page, watch, [/^WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/ws' failed/]);
  } finally {
    await context.close();
  }
}));

// ---------------------------------------------------------------------------------------------
// Helpers

/** Appends the end of the server's log to a failure, which usually says what went wrong. */
function withServerLog(fn) {
  return async (t) => {
    try {
      await fn(t);
    } catch (err) {
      const tail = server.log.slice(-30).join('\n');
      if (tail && err instanceof Error) err.message += `\n--- server log (tail) ---\n${tail}`;
      throw err;
    }
  };
}

async function startInterview(page, { topics, level, count }) {
  for (const t of topics) await page.getByTestId(`topic-${t}`).check();
  await page.getByTestId('level').selectOption(level);
  await page.getByTestId('count').fill(String(count));
  await page.getByTestId('start-button').click();
  await assertText(page.getByTestId('progress'), `Question 1 of ${count}`);
}

const turnSel = (turn, inner = '') => `[data-testid=turn][data-turn="${turn}"] ${inner}`.trim();

/**
 * Waits until the page expects an answer (returns the open turn, as shown and as sent by the
 * server) or shows the summary (returns null).
 */
async function nextOpenQuestion(page, watch) {
  await page.waitForFunction(
    () => document.querySelector('[data-testid=summary]') || !document.querySelector('[data-testid=answer-input]').disabled,
  );
  if (await page.getByTestId('summary').count()) return null;
  const shown = await page.evaluate(() => {
    const li = [...document.querySelectorAll('[data-testid=turn]')].at(-1);
    return {
      turn: Number(li.dataset.turn),
      followUp: li.querySelector('[data-testid=follow-up-badge]') !== null,
      text: li.querySelector('[data-testid=question-text]').textContent,
    };
  });
  const server = await eventually(() => received(watch, 'question').findLast((m) => m.turn === shown.turn));
  return { ...shown, server };
}

/**
 * Answers the open question and checks the whole round trip: the bubble is shown at once as
 * "sending…", becomes "saved" on the ack, "evaluating…" is visible until the evaluation, the
 * streamed feedback equals the server's deltas, and the score card matches the evaluation.
 */
async function answerAndCheck(page, watch, q, text, via) {
  await page.evaluate((turn) => {
    // Records transient states that are over by the time the test could look at them.
    const seen = { statuses: [], disabledWhileSending: null, evaluating: false, feedbackBeforeCard: false };
    window.__seen = seen;
    const sel = (inner) => document.querySelector(`[data-testid=turn][data-turn="${turn}"] ${inner}`);
    new MutationObserver(() => {
      const status = sel('[data-testid=answer-status]')?.dataset.status;
      if (status && seen.statuses.at(-1) !== status) seen.statuses.push(status);
      if (status === 'sending' && seen.disabledWhileSending === null) {
        seen.disabledWhileSending = document.querySelector('[data-testid=answer-input]').disabled;
      }
      if (sel('[data-testid=evaluating]')) seen.evaluating = true;
      if (sel('[data-testid=feedback-text]')?.textContent && !sel('[data-testid=score-card]')) seen.feedbackBeforeCard = true;
    }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  }, q.turn);

  const input = page.getByTestId('answer-input');
  await input.fill(text);
  if (via === 'ctrl+enter') await input.press('Control+Enter');
  else await page.getByTestId('send-button').click();

  assert.equal(await input.inputValue(), '', 'the answer box is cleared after sending');
  assert.equal(await page.locator(turnSel(q.turn, '[data-testid=answer-text]')).textContent(), text);
  await page.locator(turnSel(q.turn, '[data-testid=score-card]')).waitFor();

  const seen = await page.evaluate(() => window.__seen);
  assert.deepEqual(seen.statuses, ['sending', 'saved'], 'answer status goes sending… → saved');
  assert.equal(seen.disabledWhileSending, true, 'no input while the answer is on its way');
  assert.equal(seen.evaluating, true, '"evaluating…" was shown');
  assert.equal(await page.locator(turnSel(q.turn, '[data-testid=evaluating]')).count(), 0, '"evaluating…" is gone');

  const deltas = received(watch, 'feedback_delta').filter((m) => m.turn === q.turn);
  if (deltas.length) {
    assert.equal(seen.feedbackBeforeCard, true, 'feedback streamed in before the evaluation');
    assert.equal(
      await page.locator(turnSel(q.turn, '[data-testid=feedback-text]')).textContent(),
      deltas.map((d) => d.text).join(''),
    );
  }
  const message = await eventually(() => received(watch, 'evaluation').findLast((m) => m.turn === q.turn));
  await checkScoreCard(page, q.turn, message);
}

/**
 * The score card of `turn` shows exactly the `evaluation` message: while the question is open
 * the missing points as hints and no model answer; once closed every point and the model answer.
 */
async function checkScoreCard(page, turn, message) {
  const { evaluation } = message;
  const card = page.locator(turnSel(turn, '[data-testid=score-card]'));
  assert.equal(await card.count(), 1, 'one score card per turn');
  assert.equal(await card.getAttribute('data-closed'), String(Boolean(message.closed)));
  assert.equal(await card.getByTestId('model-answer').count(), message.closed && message.model_answer ? 1 : 0);
  if (message.closed && message.model_answer) {
    await card.getByTestId('model-answer').locator('summary').click();
    const model = card.getByTestId('model-answer').locator('.model-answer-text');
    assert.equal(shownText(await model.textContent()), shownText(message.model_answer));
    assert.equal(await model.locator('code').count() > 0, message.model_answer.includes('`'), 'code in the model answer is shown as code');
  }
  // With an LLM grader, the candidate's own answer rewritten into a strong one, once closed.
  assert.equal(await card.getByTestId('rewrite').count(), message.closed && evaluation.rewrite ? 1 : 0);
  if (message.closed && evaluation.rewrite) {
    await card.getByTestId('rewrite').locator('summary').click();
    assert.equal(shownText(await card.getByTestId('rewrite').locator('.model-answer-text').textContent()), shownText(evaluation.rewrite));
  }
  assert.equal(
    await card.getByTestId('estimate').count(),
    evaluation.confidence ? 1 : 0,
    'a built-in grade says it is a keyword-and-structure estimate',
  );
  if (evaluation.confidence) {
    assert.equal(await card.getByTestId('estimate').getAttribute('data-confidence'), evaluation.confidence);
    assert.match(await card.getByTestId('estimate').textContent(), /LLM/);
  }
  assert.equal(await card.getByTestId('incorrect-claim').count(), (evaluation.incorrect_claims ?? []).length);
  assert.equal(await card.getByTestId('score-overall').textContent(), `${evaluation.overall}/100`);
  assert.equal(await card.getByTestId('score-passed').getAttribute('data-passed'), String(evaluation.passed));

  const rows = await card.getByTestId('criterion').evaluateAll((items) =>
    items.map((li) => {
      const bar = li.querySelector('[data-testid=criterion-bar]');
      const fill = li.querySelector('[data-testid=criterion-bar-fill]');
      return {
        name: li.querySelector('.criterion-name').textContent,
        score: li.querySelector('[data-testid=criterion-score]').textContent,
        ratio: fill.getBoundingClientRect().width / bar.clientWidth,
      };
    }),
  );
  assert.ok(evaluation.criteria.length > 0);
  assert.equal(rows.length, evaluation.criteria.length, 'one bar per criterion');
  // An answer scored 0 for being off topic, a copy of the question or addressed to the grader
  // is "not scored": empty bars, no numbers that look like a score.
  const notScored =
    evaluation.overall === 0 && evaluation.flags.some((f) => ['off_topic', 'copied_question', 'possible_prompt_injection'].includes(f));
  evaluation.criteria.forEach((c, i) => {
    assert.equal(rows[i].name, c.name);
    assert.equal(rows[i].score, notScored ? 'not scored' : `${c.score}/${c.max}`);
    const want = notScored ? 0 : c.score / c.max;
    assert.ok(Math.abs(rows[i].ratio - want) < 0.02, `bar of ${c.name} is ${rows[i].ratio}, want ${want}`);
  });

  if (evaluation.star) {
    const chips = await card.getByTestId('star-chip').evaluateAll((items) =>
      items.map((li) => ({
        part: li.dataset.part,
        present: li.dataset.present === 'true',
        evidence: li.querySelector('[data-testid=evidence]')?.textContent ?? null,
      })),
    );
    assert.deepEqual(
      chips,
      ['situation', 'task', 'action', 'result'].map((part) => ({
        part,
        present: evaluation.star[part].present,
        evidence: evaluation.star[part].evidence ?? null,
      })),
    );
  } else {
    assert.ok(evaluation.key_points.length > 0, 'technical questions have key points');
    const points = await card.getByTestId('key-point').evaluateAll((items) =>
      items.map((li) => ({
        covered: li.dataset.covered === 'true',
        evidence: li.querySelector('[data-testid=evidence]')?.textContent ?? null,
      })),
    );
    assert.deepEqual(points, evaluation.key_points.map((k) => ({ covered: k.covered, evidence: k.evidence ?? null })));
    // Withheld points show only their hint while the question is open.
    const hints = await card.getByTestId('hint').allTextContents();
    assert.deepEqual(hints, evaluation.key_points.filter((k) => k.withheld).map((k) => k.text));
    if (!message.closed) assert.ok(evaluation.key_points.every((k) => k.covered || k.withheld));
  }

  const flags = await card.getByTestId('flag').evaluateAll((items) => items.map((li) => li.dataset.flag));
  assert.deepEqual(flags, evaluation.flags);
  const improvements = await card.locator('[data-testid=improvements] li').allTextContents();
  assert.deepEqual(improvements, evaluation.improvements);
}

async function checkSummary(page, summary, catalog) {
  const title = (id) => catalog.topics.find((t) => t.id === id).title;
  assert.equal(await page.getByTestId('summary-overall').textContent(), `${summary.overall}/100`);
  assert.equal(await page.getByTestId('summary-passed').getAttribute('data-passed'), String(summary.passed));
  const chart = page.getByTestId('topic-chart');
  assert.equal(await chart.evaluate((el) => el.namespaceURI + ' ' + el.localName), 'http://www.w3.org/2000/svg svg');
  const bars = await chart.locator('[data-testid=topic-bar]').evaluateAll((rects) =>
    rects.map((r) => ({ topic: r.dataset.topic, width: Number(r.getAttribute('width')), track: Number(r.previousElementSibling.getAttribute('width')) })),
  );
  assert.deepEqual(bars.map((b) => b.topic), summary.by_topic.map((t) => t.topic), 'one bar per topic');
  summary.by_topic.forEach((t, i) => assert.ok(Math.abs(bars[i].width / bars[i].track - t.overall / 100) < 0.01));
  const labels = await chart.locator('text.chart-label').allTextContents();
  assert.deepEqual(labels, summary.by_topic.map((t) => title(t.topic)));
  const strengths = await page.locator('[data-testid=summary-strengths] li').allTextContents();
  assert.deepEqual(strengths, summary.strengths);
  const focus = await page.locator('[data-testid=summary-focus] li').allTextContents();
  assert.deepEqual(focus, summary.focus_areas);
  // Every question again, with its model answer.
  const review = page.getByTestId('review-item');
  assert.equal(await review.count(), summary.review.length);
  for (const [i, r] of summary.review.entries()) {
    assert.equal(await review.nth(i).getAttribute('data-question'), r.question_id);
    assert.equal(await review.nth(i).getByTestId('model-answer').count(), r.model_answer ? 1 : 0);
  }
}

/** What each turn shows, for comparing before and after a reload. */
function snapshotTurns(page) {
  return page.locator('[data-testid=turn]').evaluateAll((items) =>
    items.map((li) => ({
      turn: Number(li.dataset.turn),
      question: li.querySelector('[data-testid=question-text]').textContent,
      followUp: li.querySelector('[data-testid=follow-up-badge]') !== null,
      answer: li.querySelector('[data-testid=answer-text]')?.textContent ?? null,
      status: li.querySelector('[data-testid=answer-status]')?.dataset.status ?? null,
      skipped: li.querySelector('[data-testid=skipped]') !== null,
      score: li.querySelector('[data-testid=score-overall]')?.textContent ?? null,
      criteria: li.querySelectorAll('[data-testid=criterion]').length,
    })),
  );
}

function storedSession(page) {
  return page.evaluate(() => JSON.parse(localStorage.getItem('rehearse.session')));
}

async function assertText(locator, expected) {
  await locator.filter({ hasText: expected }).waitFor();
  assert.equal((await locator.textContent()).trim(), expected);
}

/** No console errors (except `allowed`), no uncaught exceptions, no CSP violations. */
async function assertClean(page, watch, allowed = []) {
  const errors = watch.consoleErrors.filter((text) => !allowed.some((re) => re.test(text)));
  assert.deepEqual(errors, [], 'console errors');
  assert.deepEqual(watch.pageErrors, [], 'uncaught page errors');
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], 'CSP violations');
  assert.deepEqual(watch.dialogs, [], 'dialogs');
}

/** Polls `fn` until it returns a truthy value (frames recorded by Playwright may lag the DOM a little). */
async function eventually(fn, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${fn}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
