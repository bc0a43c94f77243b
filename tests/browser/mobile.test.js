// Browser test of the staff pages (/admin) on a phone (390 × 844) and on a desktop (1280 × 800),
// against the real server binary, in headless Chromium: no page scrolls sideways, forms and text
// areas span their card, and the score charts stay readable (labels of at least 11 px, inside the
// chart, clear of the values, bars as long as their scores).
// Run: npm ci && REHEARSE_BIN=/work/main/target/debug/rehearse node --test mobile.test.js

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, launchBrowser, openPage, gradedInterview, assertClean, withServerLog } from './harness.js';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const MIN_LABEL_PX = 11;
const REVIEWED = 73;

// Long unbroken text where staff pages show names, answers and ids: it must wrap, not widen the page.
const NAME = 'Augusta_Ada_King_Countess_of_Lovelace_née_Byron';
const ANSWER =
  'A generator is a function that uses yield, so it produces values lazily, one at a time, and keeps its state between calls. ' +
  'For example, reading a huge file line by line does not load it into memory: ' +
  'https://docs.python.org/3/library/itertools.html#itertools.islice_reads_only_what_it_needs_from_the_underlying_iterator';

/**
 * Every staff page, in the state a user sees it. `path(ctx)` builds the address from what
 * `before` created (`ctx.sessionId`); `login: false` for pages seen logged out; `status` when it is
 * not 200; `prepare(page)` brings the page into the state to check (an open form, a result);
 * `charts`: how many score charts the page shows. New staff pages go in this list.
 */
const PAGES = [
  { name: 'login', login: false, path: () => '/admin/login' },
  { name: 'session list', path: () => '/admin/sessions' },
  {
    name: 'transcript with charts and an open review form',
    path: (ctx) => `/admin/sessions/${ctx.sessionId}`,
    charts: 2,
    prepare: async (page) => {
      await page.getByTestId('review-toggle').first().click();
      await page.getByTestId('review-form').first().waitFor();
    },
  },
  { name: 'rubric list', path: () => '/admin/rubrics' },
  { name: 'rubric page', path: () => '/admin/rubrics/behavioral-star' },
  {
    name: 'rubric page with a preview result',
    path: () => '/admin/rubrics/behavioral-star',
    prepare: async (page) => {
      await page.getByTestId('preview-answer').fill(ANSWER);
      await page.getByTestId('preview-submit').click();
      await page.getByTestId('preview-result').waitFor();
    },
  },
  {
    name: 'rubric page with a calibration result',
    path: () => '/admin/rubrics/behavioral-star',
    prepare: async (page) => {
      await page.getByTestId('calibrate-submit').click();
      await page.getByTestId('calibration-row').first().waitFor();
    },
  },
  { name: 'error page', path: () => '/admin/no-such-page', status: 404 },
  {
    name: 'invites page with a new invite and its link',
    path: () => '/admin/invites',
    prepare: async (page) => {
      const form = page.getByTestId('invite-form');
      if (!(await form.isVisible())) await page.getByTestId('invite-new').locator('summary').click();
      await form.getByTestId('invite-candidate-name').fill('Bartholomew Featherstonehaugh-Cholmondeley');
      await form.getByTestId('invite-topic-algorithms').check();
      await form.getByTestId('invite-count').fill('1');
      await form.getByTestId('invite-create').click();
      await page.getByTestId('invite-created').waitFor();
      await page.getByTestId('invite-row').first().waitFor();
    },
  },
];

let server;
let browser;
let token;
let loginCookies;
const ctx = {};

before(async () => {
  server = new Server();
  token = await server.createToken('admin', 'phone');
  await server.start();
  browser = await launchBrowser();
  ctx.sessionId = await gradedInterview(browser, server.url, { name: NAME, answer: ANSWER });
  loginCookies = await logIn();
  await review(ctx.sessionId);
});

after(async () => {
  await browser?.close();
  await server?.cleanup();
});

for (const spec of PAGES) {
  for (const [device, viewport] of [['a phone', PHONE], ['a desktop', DESKTOP]]) {
    test(`${spec.name} fits ${device} (${viewport.width} px) with readable charts`, { timeout: 60_000 }, withServerLog(() => server, async () => {
      const { context, page, watch } = await openPage(browser, server.url);
      try {
        if (spec.login !== false) await context.addCookies(loginCookies);
        await page.setViewportSize(viewport);
        const address = spec.path(ctx);
        const response = await page.goto(address);
        assert.equal(response.status(), spec.status ?? 200);
        assert.equal(new URL(page.url()).pathname, new URL(address, server.url).pathname, 'no redirect (to the login form)');
        if (spec.prepare) await spec.prepare(page);

        assert.deepEqual(await outsideViewport(page), [], 'nothing sticks out of the viewport');
        const { scrollWidth, innerWidth } = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          innerWidth: window.innerWidth,
        }));
        assert.ok(scrollWidth <= innerWidth, `the page scrolls sideways: ${scrollWidth} > ${innerWidth}`);
        if (viewport === PHONE) assert.deepEqual(await narrowFields(page), [], 'forms and text areas take the whole width');

        const charts = await chartReport(page);
        assert.equal(charts.length, spec.charts ?? 0, 'charts on the page');
        for (const chart of charts) checkChart(chart, viewport);

        // Chromium logs the status of a page that is not 200 as a failed load.
        await assertClean(page, watch, spec.status ? [new RegExp(`status of ${spec.status}`)] : []);
      } finally {
        await context.close();
      }
    }));
  }
}

/** Elements whose right edge passes the viewport without a scrolling (or clipping) box around them. */
function outsideViewport(page) {
  return page.evaluate(() => {
    const contained = (el) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        if (getComputedStyle(p).overflowX !== 'visible') return true;
      }
      return false;
    };
    // An element's box does not include text that overflows it: measure its text too.
    const right = (el) => {
      let end = el.getBoundingClientRect().right;
      for (const node of el.childNodes) {
        if (node.nodeType !== Node.TEXT_NODE || !node.textContent.trim()) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        end = Math.max(end, range.getBoundingClientRect().right);
      }
      return end;
    };
    const found = [];
    for (const el of document.body.querySelectorAll('*')) {
      if (el.getBoundingClientRect().width === 0 || contained(el)) continue;
      const end = right(el);
      if (end <= window.innerWidth + 0.5) continue;
      const id = el.dataset?.testid ? `[data-testid=${el.dataset.testid}]` : '';
      const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      found.push(`${el.localName}${id}${cls} ends at ${Math.round(end)} px`);
    }
    return found.slice(0, 10);
  });
}

/** On a phone: visible forms narrower than their container, text areas narrower than the box they are in. */
function narrowFields(page) {
  return page.evaluate(() => {
    const width = (el) => el.getBoundingClientRect().width;
    const inner = (el) => {
      const s = getComputedStyle(el);
      return width(el) - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight) - parseFloat(s.borderLeftWidth) - parseFloat(s.borderRightWidth);
    };
    const found = [];
    for (const form of document.querySelectorAll('main form')) {
      if (!form.checkVisibility() || form.classList.contains('inline-form')) continue;
      const name = form.dataset.testid ?? form.getAttribute('action');
      if (width(form) < inner(form.parentElement) - 1) found.push(`form ${name}: ${Math.round(width(form))} of ${Math.round(inner(form.parentElement))} px`);
      for (const area of form.querySelectorAll('textarea')) {
        let box = area.parentElement;
        while (['inline', 'contents'].includes(getComputedStyle(box).display)) box = box.parentElement;
        if (area.checkVisibility() && width(area) < inner(box) - 1) found.push(`textarea ${area.name} in ${name}: ${Math.round(width(area))} of ${Math.round(inner(box))} px`);
      }
    }
    return found;
  });
}

/**
 * Each chart as rendered: whether it is visible, its box, every piece of text in it (its rendered
 * font size, its box) and every row (its label, value, bar and track boxes).
 */
function chartReport(page) {
  return page.locator('[data-testid=chart]').evaluateAll((charts) =>
    charts.map((chart) => {
      const box = (el) => {
        const r = el.getBoundingClientRect();
        return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width };
      };
      // SVG text is scaled by the viewBox; HTML text is drawn at its computed size.
      const renderedPx = (el) => {
        const size = parseFloat(getComputedStyle(el).fontSize);
        return el instanceof SVGGraphicsElement ? size * el.getScreenCTM().a : size;
      };
      const texts = [];
      for (const el of chart.querySelectorAll('*')) {
        if (el.closest('title')) continue;
        const own = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim();
        if (own) texts.push({ text: own, px: renderedPx(el), box: box(el), visible: el.checkVisibility() });
      }
      const rows = [...chart.querySelectorAll('.chart-row')].map((row) => ({
        label: box(row.querySelector('.chart-label')),
        value: box(row.querySelector('.chart-value')),
        valueText: row.querySelector('.chart-value').textContent.trim(),
        bar: box(row.querySelector('.chart-bar')),
        track: box(row.querySelector('.chart-track')),
      }));
      return { visible: chart.checkVisibility(), box: box(chart), texts, rows };
    }),
  );
}

function checkChart(chart, viewport) {
  assert.ok(chart.visible, 'the chart is shown');
  assert.ok(chart.box.width >= Math.min(300, viewport.width - 60), `the chart is ${chart.box.width} px wide`);
  assert.ok(chart.rows.length > 0, 'the chart has rows');
  assert.ok(chart.texts.length >= 2 * chart.rows.length, 'every row has a label and a value');
  for (const t of chart.texts) {
    assert.ok(t.visible, `"${t.text}" is visible`);
    assert.ok(t.px >= MIN_LABEL_PX, `"${t.text}" is drawn at ${t.px.toFixed(1)} px (at least ${MIN_LABEL_PX})`);
    assert.ok(t.box.left >= chart.box.left - 0.5 && t.box.right <= chart.box.right + 0.5, `"${t.text}" stays inside the chart`);
  }
  for (const row of chart.rows) {
    const apart = row.label.right <= row.value.left || row.label.bottom <= row.value.top || row.value.bottom <= row.label.top;
    assert.ok(apart, `label and value ${row.valueText} do not overlap`);
    const score = row.valueText === '—' ? 0 : Number(row.valueText);
    assert.ok(Number.isInteger(score), `value ${row.valueText} is a score`);
    assert.ok(Math.abs(row.bar.width / row.track.width - score / 100) <= 0.02, `the bar of ${row.valueText} is ${row.bar.width} of ${row.track.width} px`);
  }
}

/** Logs in once through the form (attempts are rate limited); returns the login cookie. */
async function logIn() {
  const { context, page, watch } = await openPage(browser, server.url);
  try {
    await page.goto('/admin/login');
    await page.getByTestId('login-token').fill(token);
    await page.getByTestId('login-submit').click();
    await page.waitForURL('**/admin/sessions');
    await assertClean(page, watch);
    return await context.cookies();
  } finally {
    await context.close();
  }
}

/**
 * Reviews the first answer to a score of REVIEWED, so that the charts have a bar of known length
 * to measure (the built-in grader may well score a short answer 0).
 */
async function review(sessionId) {
  const { context, page, watch } = await openPage(browser, server.url);
  try {
    await context.addCookies(loginCookies);
    await page.goto(`/admin/sessions/${sessionId}`);
    const turn = page.locator('[data-testid=turn][data-turn="1"]');
    await turn.getByTestId('review-toggle').click();
    await turn.getByTestId('review-overall').fill(String(REVIEWED));
    await turn.getByTestId('review-comment').fill('Scored by hand for the layout test.');
    await turn.getByTestId('review-submit').click();
    await page.waitForURL(`**/admin/sessions/${sessionId}#turn-1`);
    const values = await page.locator('[data-testid=chart] .chart-value').allTextContents();
    assert.deepEqual(values.map((v) => v.trim()), [String(REVIEWED), String(REVIEWED)], 'both charts show the reviewed score');
    await assertClean(page, watch);
  } finally {
    await context.close();
  }
}
