// Pure view builders: data in, detached DOM out. No state, no sockets.
// All text goes through h()/svg() and so becomes text nodes (see dom.js).

import { h, svg, clamp } from './dom.js';

const FLAG_LABELS = {
  too_short: 'Too short',
  off_topic: 'Off topic',
  keyword_stuffing: 'Keyword stuffing',
  repetitive: 'Repetitive',
  copied_question: 'Copies the question',
  possible_prompt_injection: 'Possible prompt injection',
  evidence_not_in_answer: 'Evidence not found in the answer',
  incorrect_claim: 'Incorrect claim',
};

const SOURCE_LABELS = {
  builtin: 'built-in grader',
  llm: 'AI grader',
  fallback: 'built-in grader (fallback)',
  human: 'human reviewer',
};

const STAR_PARTS = ['situation', 'task', 'action', 'result'];

const NOT_SCORED_FLAGS = new Set(['off_topic', 'copied_question', 'possible_prompt_injection']);

const capitalise = (s) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Question and answer text with code shown as code: `inline` spans become <code>, lines between
 * ``` fences become <pre><code>; blank lines separate paragraphs. Everything stays text nodes.
 * The same rules as the server's rich_text module.
 */
export function richText(text, testid = null) {
  const blocks = [];
  let para = [];
  let code = null;
  const flush = () => {
    if (para.length) blocks.push(h('p', {}, inlineCode(para.join('\n'))));
    para = [];
  };
  for (const line of String(text ?? '').split('\n')) {
    const fence = line.trimStart().startsWith('```') ? line.trimStart().slice(3) : null;
    if (code && fence !== null && fence.trim() === '') {
      blocks.push(codeBlock(code));
      code = null;
    } else if (code) {
      code.lines.push(line);
    } else if (fence !== null) {
      flush();
      code = { lang: fence.trim(), lines: [] };
    } else if (line.trim() === '') {
      flush();
    } else {
      para.push(line.trim());
    }
  }
  flush();
  if (code) blocks.push(codeBlock(code));
  return h('div', { class: 'rich', testid }, blocks);
}

function codeBlock({ lang, lines }) {
  return h('pre', { class: 'code', 'data-lang': lang || null }, h('code', {}, lines.join('\n')));
}

function inlineCode(text) {
  const pieces = text.split('`');
  // An odd number of backticks leaves the last one unmatched: it stays a literal backtick.
  const paired = pieces.length % 2 === 0 ? pieces.length - 2 : pieces.length - 1;
  const out = [];
  pieces.forEach((piece, i) => {
    if (i > paired) out.push(`\`${piece}`);
    else if (i % 2 === 1) out.push(h('code', {}, piece));
    else if (piece) out.push(piece);
  });
  return out;
}
const list = (value) => (Array.isArray(value) ? value : []);

/** "Question 2 of 5", plus "· follow-up" for follow-ups. */
export function progressText(index, of, followUp) {
  return `Question ${index} of ${of}${followUp ? ' · follow-up' : ''}`;
}

/** "You're invited: Algorithms, Concurrency and the GIL, mid, 3 questions" (from /api/invites/check). */
export function inviteSummary(invite, titleOf) {
  const topics = list(invite.topics).map(titleOf).join(', ');
  const count = Number(invite.count) || 0;
  return `You're invited: ${topics}, ${invite.level}, ${count} question${count === 1 ? '' : 's'}`;
}

/** Who the invite is for and until when it can be used. */
export function inviteMeta(invite) {
  const until = new Date(Number(invite.expires_at));
  const when = Number.isNaN(until.getTime()) ? '' : `The link works until ${until.toLocaleString()}.`;
  return [invite.candidate_name ? `For ${invite.candidate_name}.` : '', when].filter(Boolean).join(' ');
}

/** The interviewer's question bubble. */
export function questionBubble(q, topicTitle) {
  return h(
    'div',
    { class: 'bubble interviewer question', testid: 'question' },
    h(
      'p',
      { class: 'bubble-meta' },
      h('span', { testid: 'question-progress' }, progressText(q.index, q.of, false)),
      q.follow_up ? h('span', { class: 'badge follow-up', testid: 'follow-up-badge' }, 'Follow-up') : null,
      h('span', { class: 'topic' }, topicTitle),
    ),
    richText(q.text, 'question-text'),
  );
}

/** The candidate's answer bubble with its delivery status ("sending…", "saved"). */
export function answerBubble(text, status) {
  return h(
    'div',
    { class: `bubble candidate answer status-${status}`, testid: 'answer' },
    h('p', { class: 'bubble-text', testid: 'answer-text' }, text),
    h('p', { class: 'bubble-status', testid: 'answer-status', 'data-status': status }, statusText(status)),
  );
}

/** Updates an answer bubble's status in place. */
export function setAnswerStatus(bubble, status) {
  bubble.className = `bubble candidate answer status-${status}`;
  const label = bubble.querySelector('[data-testid="answer-status"]');
  label.dataset.status = status;
  label.textContent = statusText(status);
}

function statusText(status) {
  switch (status) {
    case 'sending':
      return 'sending…';
    case 'saved':
      return 'saved';
    case 'refused':
      return 'not sent';
    default:
      return status;
  }
}

/** A small candidate-side marker for a skipped question. */
export function skippedBubble() {
  return h('div', { class: 'bubble candidate skipped', testid: 'skipped' }, h('p', { class: 'bubble-text' }, 'Skipped'));
}

/** "evaluating…" indicator shown between the ack and the evaluation. */
export function evaluatingIndicator() {
  return h(
    'p',
    { class: 'evaluating', testid: 'evaluating', role: 'status' },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }),
    'evaluating…',
  );
}

/** The indicator once grading has taken a while: the answer is saved, grading goes on. */
export function markGradingSlow(indicator) {
  indicator.dataset.slow = 'true';
  indicator.lastChild.textContent = 'still grading — your answer is saved';
}

/** The interviewer's feedback bubble; text is streamed into its text node. */
export function feedbackBubble() {
  return h(
    'div',
    { class: 'bubble interviewer feedback', testid: 'feedback', 'aria-busy': 'true' },
    h('p', { class: 'bubble-meta' }, 'Feedback'),
    h('p', { class: 'bubble-text', testid: 'feedback-text' }),
  );
}

/**
 * The per-answer score card for an Evaluation (README "Evaluations"). While the question is
 * open (`closed` false) missing points arrive as hints; once closed the card shows every key
 * point and the model answer.
 */
export function scoreCard(ev, turn, { closed = true, modelAnswer = null } = {}) {
  const overall = clamp(ev.overall, 0, 100);
  return h(
    'article',
    {
      class: `score-card ${closed ? 'closed' : 'open'}`,
      testid: 'score-card',
      'data-turn': turn,
      'data-closed': String(Boolean(closed)),
      'aria-label': `Score for this answer: ${overall} out of 100`,
    },
    h(
      'header',
      { class: 'score-head' },
      h('span', { class: 'score-overall', testid: 'score-overall' }, `${overall}/100`),
      passBadge(ev.passed, 'score-passed'),
      ev.source ? h('span', { class: 'score-source' }, `graded by ${SOURCE_LABELS[ev.source] ?? ev.source}`) : null,
    ),
    estimateNote(ev),
    flagList(list(ev.flags)),
    section(
      'Criteria',
      h('ul', { class: 'criteria', testid: 'criteria' }, list(ev.criteria).map((c) => criterionRow(c, notScored(ev)))),
    ),
    list(ev.key_points).length ? section('Key points', keyPointList(ev.key_points)) : null,
    incorrectClaims(list(ev.incorrect_claims)),
    ev.star ? section('STAR', starChips(ev.star)) : null,
    ev.star?.reflection ? section('Reflection', h('blockquote', { class: 'evidence', testid: 'reflection' }, ev.star.reflection)) : null,
    textList('What worked', ev.strengths, 'strengths'),
    textList('To improve', ev.improvements, 'improvements'),
    closed && ev.rewrite ? rewriteBlock(ev.rewrite) : null,
    closed && modelAnswer ? modelAnswerBlock(modelAnswer) : null,
  );
}

/** What a built-in grade is: an estimate from keywords and structure, and how to get better. */
function estimateNote(ev) {
  if (!ev.confidence) return null;
  return h(
    'p',
    { class: `estimate confidence-${ev.confidence}`, testid: 'estimate', 'data-confidence': ev.confidence },
    `Keyword-and-structure estimate · confidence ${ev.confidence}. `,
    h(
      'span',
      { class: 'estimate-help' },
      'It reads which points you make, not whether your reasoning holds together; for meaning-aware grading the server can be set up with an LLM grader ([llm] in its settings).',
    ),
  );
}

function incorrectClaims(claims) {
  if (!claims.length) return null;
  return section(
    'Check these statements',
    h(
      'ul',
      { class: 'incorrect-claims', testid: 'incorrect-claims' },
      claims.map((c) =>
        h(
          'li',
          { class: 'incorrect-claim', testid: 'incorrect-claim' },
          h('blockquote', { class: 'evidence' }, c.claim),
          c.correction
            ? h('p', { class: 'correction', testid: 'correction' }, `Correct: ${c.correction}`)
            : h('p', { class: 'note' }, 'This is not right; the correction is shown when the question closes.'),
        ),
      ),
    ),
  );
}

/** A folded answer shown once the question is closed. */
function answerBlock(testid, title, text) {
  return h(
    'details',
    { class: 'model-answer', testid },
    h('summary', {}, title),
    h('div', { class: 'model-answer-text' }, richText(text)),
  );
}

/** The model answer, shown once the question is closed. */
export function modelAnswerBlock(text) {
  return answerBlock('model-answer', 'Model answer', text);
}

/** The candidate's own answer rewritten into a strong one (LLM grading), once the question is closed. */
export function rewriteBlock(text) {
  return answerBlock('rewrite', 'Your answer, made stronger', text);
}

function passBadge(passed, testid) {
  return h(
    'span',
    { class: `badge ${passed ? 'pass' : 'fail'}`, testid, 'data-passed': String(Boolean(passed)) },
    passed ? 'Passed' : 'Not passed',
  );
}

function section(title, body) {
  return h('section', { class: 'card-section' }, h('h4', {}, title), body);
}

/** An answer graded 0 because it was off topic, copied the question or addressed the grader. */
function notScored(ev) {
  return Number(ev.overall) === 0 && list(ev.flags).some((f) => NOT_SCORED_FLAGS.has(f));
}

function criterionRow(c, unscored = false) {
  const max = Number(c.max) || 0;
  const score = clamp(c.score, 0, max);
  // Bar width is proportional to score / max, as the card promises "4/5"; an answer that was
  // not scored shows an empty bar and no number.
  const fill = h('span', { class: 'bar-fill', testid: 'criterion-bar-fill' });
  fill.style.width = `${!unscored && max > 0 ? (score / max) * 100 : 0}%`;
  return h(
    'li',
    { class: 'criterion', testid: 'criterion', 'data-criterion': c.id },
    h(
      'div',
      { class: 'criterion-head' },
      h('span', { class: 'criterion-name' }, c.name),
      h('span', { class: 'criterion-score', testid: 'criterion-score' }, unscored ? 'not scored' : `${c.score}/${c.max}`),
    ),
    h(
      'div',
      {
        class: 'bar',
        testid: 'criterion-bar',
        role: 'meter',
        'aria-label': c.name,
        'aria-valuemin': c.min,
        'aria-valuemax': c.max,
        'aria-valuenow': unscored ? c.min : c.score,
      },
      fill,
    ),
    c.rationale ? h('p', { class: 'rationale' }, c.rationale) : null,
  );
}

function keyPointList(points) {
  return h(
    'ul',
    { class: 'key-points', testid: 'key-points' },
    points.map((kp) =>
      h(
        'li',
        { class: `key-point ${kp.covered ? 'covered' : 'missing'}`, testid: 'key-point', 'data-covered': String(Boolean(kp.covered)) },
        h('span', { class: 'mark', 'aria-hidden': 'true' }, kp.covered ? '✓' : kp.withheld ? '?' : '✗'),
        h('span', { class: 'mark-label' }, kp.covered ? 'covered' : kp.withheld ? 'still missing · area:' : 'missing'),
        h('span', { class: 'kp-text', testid: kp.withheld ? 'hint' : 'kp-text' }, kp.text),
        kp.evidence ? h('blockquote', { class: 'evidence', testid: 'evidence' }, kp.evidence) : null,
      ),
    ),
  );
}

function starChips(star) {
  const long = STAR_PARTS.some((part) => String(star[part]?.evidence ?? '').length > 60);
  return h(
    'ul',
    { class: long ? 'star stacked' : 'star', testid: 'star' },
    STAR_PARTS.map((part) => {
      const p = star[part] ?? { present: false };
      return h(
        'li',
        { class: `star-chip ${p.present ? 'present' : 'missing'}`, testid: 'star-chip', 'data-part': part, 'data-present': String(Boolean(p.present)) },
        h(
          'p',
          { class: 'chip-head' },
          h('span', { class: 'mark', 'aria-hidden': 'true' }, p.present ? '✓' : '✗'),
          h('span', { class: 'chip-part' }, capitalise(part)),
          h('span', { class: 'chip-status' }, p.present ? 'present' : 'missing'),
        ),
        p.evidence ? h('blockquote', { class: 'evidence', testid: 'evidence' }, p.evidence) : null,
        p.note ? h('p', { class: 'note' }, p.note) : null,
      );
    }),
  );
}

function flagList(flags) {
  if (!flags.length) return null;
  return h(
    'ul',
    { class: 'flags', testid: 'flags', 'aria-label': 'Flags' },
    flags.map((f) => h('li', { class: 'flag', testid: 'flag', 'data-flag': f }, `⚠ ${FLAG_LABELS[f] ?? f}`)),
  );
}

function textList(title, items, testid) {
  const entries = list(items);
  if (!entries.length) return null;
  return section(title, h('ul', { class: `text-list ${testid}`, testid }, entries.map((t) => h('li', {}, t))));
}

/**
 * The end-of-interview summary panel. `actions`: {onNewInterview, onDownload, historyHref}.
 */
export function summaryPanel(s, titleOf, actions, chartWidth) {
  const overall = clamp(s.overall, 0, 100);
  const focus = list(s.focus_areas);
  const toReview = list(s.topics_to_review);
  const nothingToFocus = focus.length === 0 && toReview.length === 0 && Boolean(s.passed);
  return h(
    'div',
    { class: 'summary', testid: 'summary' },
    h('h1', { tabindex: '-1', class: 'summary-title' }, s.ended_early ? 'Interview ended' : 'Interview complete'),
    h(
      'p',
      { class: 'summary-score' },
      h('span', { class: 'score-overall', testid: 'summary-overall' }, `${overall}/100`),
      passBadge(s.passed, 'summary-passed'),
      s.pass_mark ? h('span', { class: 'muted', testid: 'summary-pass-mark' }, `pass mark ${s.pass_mark}`) : null,
    ),
    s.ended_early ? endedEarlyNote(s, titleOf) : null,
    h('h2', {}, 'By topic'),
    topicChart(list(s.by_topic), titleOf, chartWidth),
    h(
      'div',
      { class: 'summary-lists' },
      h('section', {}, h('h2', {}, 'Strengths'), bulletList(s.strengths, 'summary-strengths', 'No clear strengths yet.')),
      h(
        'section',
        {},
        h('h2', {}, 'Focus areas'),
        bulletList(focus, 'summary-focus', nothingToFocus ? 'Nothing to focus on — well done.' : 'See the questions below.'),
      ),
    ),
    toReview.length
      ? h('section', {}, h('h2', {}, 'Topics to review'), bulletList(toReview, 'summary-topics-to-review', ''))
      : null,
    list(s.review).length ? reviewList(s.review) : null,
    h(
      'p',
      { class: 'summary-actions' },
      h('button', { type: 'button', class: 'primary', testid: 'new-interview', onclick: actions.onNewInterview }, 'Start a new interview'),
      h('button', { type: 'button', class: 'ghost', testid: 'download-report', onclick: actions.onDownload }, 'Download report'),
      actions.historyHref ? h('a', { href: actions.historyHref, class: 'ghost-link', testid: 'history-link' }, 'My practice history') : null,
    ),
  );
}

/** Which questions the interview did not reach. */
function endedEarlyNote(s, titleOf) {
  const reached = Number(s.reached ?? list(s.review).length);
  const missing = list(s.topics_not_reached).map(titleOf);
  return h(
    'p',
    { class: 'note ended-early', testid: 'summary-ended-early' },
    `You ended the interview early: ${reached} of ${Number(s.planned) || reached} questions were reached.`,
    missing.length ? ` Not reached: ${missing.join(', ')}.` : '',
  );
}

/** Every question again: what the answer covered, what was wrong, and the model answer. */
function reviewList(review) {
  return h(
    'section',
    { class: 'review', testid: 'summary-review' },
    h('h2', {}, 'Review each question'),
    review.map((r) =>
      h(
        'article',
        { class: 'review-item', testid: 'review-item', 'data-question': r.question_id },
        richText(r.question, 'review-question'),
        h('p', { class: 'muted', testid: 'review-score' }, r.skipped ? 'Skipped' : `${clamp(r.overall ?? 0, 0, 100)}/100`),
        list(r.key_points).length ? keyPointList(r.key_points) : null,
        incorrectClaims(list(r.incorrect_claims)),
        r.model_answer ? modelAnswerBlock(r.model_answer) : null,
      ),
    ),
  );
}

function bulletList(items, testid, empty) {
  const entries = list(items);
  if (!entries.length) return h('p', { class: 'muted', testid }, empty);
  return h('ul', { class: 'text-list', testid }, entries.map((t) => h('li', {}, t)));
}

/**
 * Horizontal bar chart, one row per topic: the label on its own line above the bar (topic titles
 * are long), the score at the end of the bar. `width` should be the width it is shown at, so
 * that its text keeps its size; the viewBox still lets it scale if the page is resized.
 */
export function topicChart(byTopic, titleOf, width = 600) {
  const rowHeight = 46;
  const barX = 0;
  const barWidth = width - 44;
  const height = Math.max(1, byTopic.length) * rowHeight + 4;
  const rows = byTopic.map((t, i) => {
    const y = i * rowHeight + 2;
    const score = clamp(t.overall, 0, 100);
    const title = titleOf(t.topic);
    return svg(
      'g',
      { class: 'chart-row' },
      svg('text', { x: barX, y: y + 14, class: 'chart-label' }, title),
      svg('rect', { x: barX, y: y + 22, width: barWidth, height: 16, rx: 4, class: 'chart-track' }),
      svg(
        'rect',
        {
          x: barX,
          y: y + 22,
          width: (barWidth * score) / 100,
          height: 16,
          rx: 4,
          class: 'chart-bar',
          'data-testid': 'topic-bar',
          'data-topic': t.topic,
          'data-score': score,
        },
        svg('title', {}, `${title}: ${score}/100`),
      ),
      svg('text', { x: barX + barWidth + 8, y: y + 35, class: 'chart-value' }, String(score)),
    );
  });
  return svg(
    'svg',
    {
      class: 'topic-chart',
      'data-testid': 'topic-chart',
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'aria-label': `Score by topic: ${byTopic.map((t) => `${titleOf(t.topic)} ${clamp(t.overall, 0, 100)}`).join(', ')}`,
    },
    rows,
  );
}
