// Test harness: runs the rehearse server binary on a fresh SQLite database and drives the page in
// Debian's headless Chromium through playwright-core (which never downloads a browser).

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { chromium } from 'playwright-core';

export const REHEARSE_BIN = process.env.REHEARSE_BIN || '/work/main/target/debug/rehearse';
export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

// No internet here: without these, Chromium's background services flood refused connections.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const STARTUP_TIMEOUT_MS = 20_000;

/**
 * A rehearse server on its own temp directory and database. `start()` binds port 0 unless a port
 * is given (used to restart on the same address), and reads the port from the first stdout line.
 */
export class Server {
  /** `env`: settings for this server on top of the defaults (e.g. an LLM grader). */
  constructor({ env = {} } = {}) {
    this.extraEnv = env;
    this.dir = null;
    this.proc = null;
    this.port = null;
    this.log = [];
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = 0) {
    const env = await this.env();
    // cwd = the temp dir, so no stray rehearse.toml changes the configuration.
    const proc = spawn(REHEARSE_BIN, ['serve', '--bind', `127.0.0.1:${port}`], {
      cwd: this.dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    proc.stderr.on('data', (chunk) => this.remember(chunk.toString()));
    this.port = await firstLinePort(proc, (line) => this.remember(line));
  }

  /** The environment of the server, and of CLI commands that must use the same database. */
  async env() {
    this.dir ??= await mkdtemp(path.join(tmpdir(), 'rehearse-browser-'));
    return {
      ...process.env,
      REHEARSE_DATABASE__URL: `sqlite://${path.join(this.dir, 'r.db')}`,
      REHEARSE_EVALUATOR: 'builtin',
      ...this.extraEnv,
    };
  }

  /** Runs `rehearse ARGS…` on this server's database (before or after `start()`); resolves to stdout. */
  async cli(args) {
    const env = await this.env();
    return new Promise((resolve, reject) => {
      execFile(REHEARSE_BIN, args, { cwd: this.dir, env }, (err, stdout, stderr) => {
        if (err) reject(new Error(`rehearse ${args.join(' ')} failed: ${err.message}\n${stderr}`));
        else resolve(stdout);
      });
    });
  }

  /** A staff API token (`rehearse token create`); it is printed once, on stdout. */
  async createToken(role, name) {
    return (await this.cli(['token', 'create', '--role', role, '--name', name])).trim();
  }

  /** Stops the server: SIGKILL simulates a crash; SIGTERM is the polite way. */
  async stop(signal = 'SIGTERM') {
    const proc = this.proc;
    this.proc = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  async cleanup() {
    await this.stop();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }

  remember(text) {
    this.log.push(text);
    if (this.log.length > 200) this.log.shift();
  }
}

function firstLinePort(proc, onLine) {
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: proc.stdout });
    const timer = setTimeout(() => fail(new Error('the server did not print its address in time')), STARTUP_TIMEOUT_MS);
    const onExit = (code, signal) => fail(new Error(`the server exited early (code ${code}, signal ${signal})`));
    function fail(err) {
      clearTimeout(timer);
      proc.off('exit', onExit);
      reject(err);
    }
    proc.once('exit', onExit);
    proc.once('error', fail);
    let first = true;
    lines.on('line', (line) => {
      onLine(line);
      if (!first) return;
      first = false;
      clearTimeout(timer);
      proc.off('exit', onExit);
      const match = /^rehearse listening on http:\/\/[^:]+:(\d+)/.exec(line);
      if (match) resolve(Number(match[1]));
      else reject(new Error(`unexpected first line from the server: ${line}`));
    });
  });
}

export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * A fresh browser context (own localStorage) and page, with everything the tests must not see
 * collected: console errors, uncaught exceptions, CSP violations and dialogs (alert()).
 * Also records every WebSocket frame, to compare what the page shows with what the server sent.
 */
export async function openPage(browser, baseUrl) {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const watch = { consoleErrors: [], pageErrors: [], dialogs: [], received: [], sent: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') watch.consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => watch.pageErrors.push(String(err)));
  page.on('dialog', (dialog) => {
    watch.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  page.on('websocket', (ws) => {
    ws.on('framereceived', (f) => record(watch.received, f.payload));
    ws.on('framesent', (f) => record(watch.sent, f.payload));
  });
  // CSP violations are also reported on the console, but this catches every one of them.
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI}`);
    });
  });
  return { context, page, watch };
}

function record(list, payload) {
  try {
    list.push(JSON.parse(String(payload)));
  } catch {
    list.push({ type: '(unparsable)', payload: String(payload) });
  }
}

/** Server messages of one type received so far. */
export function received(watch, type) {
  return watch.received.filter((m) => m.type === type);
}

/** No console errors (except those matching `allowed`), no uncaught exceptions, no CSP violations, no dialogs. */
export async function assertClean(page, watch, allowed = []) {
  const errors = watch.consoleErrors.filter((text) => !allowed.some((re) => re.test(text)));
  assert.deepEqual(errors, [], 'console errors');
  assert.deepEqual(watch.pageErrors, [], 'uncaught page errors');
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], 'CSP violations');
  assert.deepEqual(watch.dialogs, [], 'dialogs');
}

/**
 * One short interview on the chat page (Iterators and generators, junior, one question) by
 * `name`, answered with `answer` and ended after that answer is graded. Returns the session id.
 */
export async function gradedInterview(browser, baseUrl, { name, answer }) {
  const { context, page, watch } = await openPage(browser, baseUrl);
  try {
    await page.goto('/');
    await page.getByTestId('topic-iterators-generators').check();
    await page.getByTestId('level').selectOption('junior');
    await page.getByTestId('count').fill('1');
    await page.getByTestId('name').fill(name);
    await page.getByTestId('start-button').click();
    await page.getByTestId('answer-input').fill(answer);
    await page.getByTestId('send-button').click();
    await page.locator('[data-testid=turn][data-turn="1"] [data-testid=score-card]').waitFor();
    // End now (two clicks: the first arms the button) if a follow-up was asked.
    await page.waitForFunction(
      () => document.querySelector('[data-testid=summary]') || !document.querySelector('[data-testid=answer-input]').disabled,
    );
    if (!(await page.getByTestId('summary').count())) {
      await page.getByTestId('end-button').click();
      await page.getByTestId('end-button').click();
    }
    await page.getByTestId('summary').waitFor();
    await assertClean(page, watch);
    return received(watch, 'session')[0].session_id;
  } finally {
    await context.close();
  }
}

/** Runs a test body and, when it fails, appends the tail of the server's log to the error. */
export function withServerLog(server, fn) {
  return async (t) => {
    try {
      await fn(t);
    } catch (err) {
      const tail = server().log.slice(-30).join('\n');
      if (tail && err instanceof Error) err.message += `\n--- server log (tail) ---\n${tail}`;
      throw err;
    }
  };
}

/**
 * A question's text as the page shows it, for comparison: code is shown as code (no backticks,
 * no fences) and paragraphs become separate blocks, so whitespace is left out of the comparison.
 */
export function shownText(text) {
  return String(text)
    .replace(/^\s*```.*$/gm, '')
    .replace(/`/g, '')
    .replace(/\s+/g, '');
}
