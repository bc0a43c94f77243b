// View builders of the practice history page: data from /api/me/* in, detached DOM out.
// The trend chart is plain SVG (no library), drawn at the width it is shown at.

import { h, svg, clamp } from './dom.js';
import { richText } from './render.js';

const COLOURS = ['#2563eb', '#d97706', '#059669', '#db2777', '#7c3aed', '#0891b2', '#65a30d', '#dc2626'];
const list = (value) => (Array.isArray(value) ? value : []);
const day = (ms) => new Date(Number(ms)).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });

/**
 * One line per topic: its score (0–100) in each finished interview, oldest left. Points share
 * an x position per interview, so topics practised together line up. The legend sits under
 * the plot (wrapping), so the chart stays readable on a 390 px phone.
 */
export function trendChart(trend, width = 600) {
  const lines = list(trend);
  if (!lines.length) return h('p', { class: 'muted', testid: 'trend-empty' }, 'Finish an interview to see your scores here.');
  const times = [...new Set(lines.flatMap((t) => list(t.points).map((p) => Number(p.at))))].sort((a, b) => a - b);
  const left = 34;
  const right = 12;
  const top = 10;
  const plotHeight = 160;
  const x = (at) => (times.length === 1 ? left + (width - left - right) / 2 : left + ((width - left - right) * times.indexOf(Number(at))) / (times.length - 1));
  const y = (score) => top + plotHeight - (plotHeight * clamp(score, 0, 100)) / 100;
  const grid = [0, 50, 100].map((v) =>
    svg('g', {}, svg('line', { x1: left, x2: width - right, y1: y(v), y2: y(v), class: 'chart-grid' }), svg('text', { x: left - 6, y: y(v) + 4, class: 'chart-axis', 'text-anchor': 'end' }, String(v))),
  );
  const series = lines.map((t, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const pts = list(t.points);
    return svg(
      'g',
      { class: 'trend-line', 'data-testid': 'trend-line', 'data-topic': t.topic, 'data-points': pts.length },
      pts.length > 1 ? svg('polyline', { points: pts.map((p) => `${x(p.at)},${y(p.overall)}`).join(' '), fill: 'none', stroke: colour, 'stroke-width': 2.5 }) : null,
      pts.map((p) =>
        svg('circle', { cx: x(p.at), cy: y(p.overall), r: 4.5, fill: colour, 'data-testid': 'trend-point', 'data-score': p.overall }, svg('title', {}, `${t.title}, ${day(p.at)}: ${p.overall}/100`)),
      ),
    );
  });
  const height = top + plotHeight + 8;
  const chart = svg(
    'svg',
    {
      class: 'trend-chart',
      'data-testid': 'trend-chart',
      viewBox: `0 0 ${width} ${height}`,
      width: '100%',
      role: 'img',
      'aria-label': `Scores over time: ${lines.map((t) => `${t.title} ${list(t.points).map((p) => p.overall).join(', ')}`).join('; ')}`,
    },
    grid,
    series,
  );
  const legend = h(
    'ul',
    { class: 'trend-legend', testid: 'trend-legend' },
    lines.map((t, i) => {
      const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' });
      swatch.style.background = COLOURS[i % COLOURS.length];
      const last = list(t.points).at(-1);
      return h('li', {}, swatch, `${t.title}${last ? ` — latest ${last.overall}` : ''}`);
    }),
  );
  return h('figure', { class: 'trend' }, chart, legend);
}

/** Every interview, newest first, each with a report download. */
export function historyTable(sessions, onReport) {
  const rows = list(sessions);
  if (!rows.length) return h('p', { class: 'muted', testid: 'history-empty' }, 'No interviews yet.');
  return h(
    'ul',
    { class: 'history-list', testid: 'history-list' },
    rows.map((s) =>
      h(
        'li',
        { class: 'history-item', testid: 'history-item', 'data-session': s.session_id },
        h('p', { class: 'history-when' }, day(s.created_at), ' · ', s.level, s.invited ? ' · recruiter interview' : ''),
        h('p', { class: 'history-topics' }, list(s.topic_titles).join(', ')),
        h(
          'p',
          { class: 'history-score' },
          s.status === 'finished'
            ? [
                h('strong', { testid: 'history-overall' }, `${s.overall ?? 0}/100`),
                ' ',
                h('span', { class: `badge ${s.passed ? 'pass' : 'fail'}`, testid: 'history-passed' }, s.passed ? 'Passed' : 'Not passed'),
                s.ended_early ? h('span', { class: 'muted', testid: 'history-ended-early' }, ` ended early (${s.questions_reached} of ${s.question_count})`) : null,
              ]
            : h('span', { class: 'muted' }, 'in progress'),
        ),
        s.status === 'finished' ? h('button', { type: 'button', class: 'ghost', testid: 'history-report', onclick: () => onReport(s.session_id) }, 'Report') : null,
      ),
    ),
  );
}

function questionLink(item) {
  return h('a', { href: item.href, testid: 'study-link' }, item.question);
}

/** The key points missed most often, grouped under their question (most missed first). */
export function missedList(items) {
  const rows = list(items);
  if (!rows.length) return h('p', { class: 'muted', testid: 'missed-empty' }, 'Nothing missed yet.');
  const byQuestion = new Map();
  for (const m of rows) {
    if (!byQuestion.has(m.question_id)) byQuestion.set(m.question_id, { link: m, points: [] });
    byQuestion.get(m.question_id).points.push(m);
  }
  return h(
    'ul',
    { class: 'missed-list', testid: 'missed-list' },
    [...byQuestion.values()].map(({ link, points }) =>
      h(
        'li',
        { testid: 'missed-question', 'data-question': link.question_id },
        questionLink(link),
        h(
          'ul',
          {},
          points.map((m) =>
            h('li', { testid: 'missed-point', 'data-question': m.question_id }, m.key_point, h('span', { class: 'muted' }, ` — missed ${m.missed} of ${m.answered}`)),
          ),
        ),
      ),
    ),
  );
}

/** STAR parts left out of behavioral answers. */
export function starMissedList(items) {
  return h(
    'ul',
    { class: 'missed-list', testid: 'star-missed-list' },
    list(items).map((s) =>
      h(
        'li',
        { testid: 'star-missed', 'data-part': s.part },
        h('strong', {}, s.part.charAt(0).toUpperCase() + s.part.slice(1)),
        ` — missing in ${s.missed} of ${s.answered} stories`,
        list(s.questions).length ? [', e.g. in ', list(s.questions).map((q, i) => [i ? '; ' : '', questionLink(q)])] : null,
      ),
    ),
  );
}

/** Questions due for review, weakest box first. */
export function dueList(cards) {
  const rows = list(cards);
  if (!rows.length) return h('p', { class: 'muted', testid: 'due-empty' }, 'Nothing is due for review.');
  return h(
    'ul',
    { class: 'missed-list', testid: 'due-list' },
    rows.map((c) =>
      h('li', { testid: 'due-item', 'data-question': c.question_id }, h('a', { href: `/me/questions/${encodeURIComponent(c.question_id)}` }, c.question_id), ` — box ${c.box} of 5, last score ${c.last_score ?? '—'}`),
    ),
  );
}

/** One question to study: the question, its key points, the model answer and past scores. */
export function studyView(q) {
  return h(
    'article',
    { class: 'study', testid: 'study' },
    h('p', {}, h('a', { href: '/me' }, '← My practice history')),
    h('h1', {}, `${q.topic_title} · ${q.level}`),
    richText(q.text, 'study-question'),
    h('h2', {}, 'Key points'),
    h('ul', { testid: 'study-key-points' }, list(q.key_points).map((k) => h('li', {}, k))),
    h('h2', {}, 'Model answer'),
    richText(q.model_answer, 'study-model-answer'),
    h('h2', {}, 'Your answers'),
    h(
      'ul',
      { testid: 'study-attempts' },
      list(q.attempts).map((a) => h('li', {}, `${day(a.at)}: ${a.skipped ? 'skipped' : `${a.overall ?? 0}/100`}`)),
    ),
    q.card ? h('p', { class: 'muted', testid: 'study-card' }, `Review box ${q.card.box} of 5; next review ${day(q.card.due_at)}.`) : null,
  );
}
