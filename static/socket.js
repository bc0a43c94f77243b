// The interview WebSocket, with automatic reconnection.
//
// The socket itself knows nothing about interviews: the page decides (through `shouldReconnect`)
// whether a dropped connection is worth re-establishing, and re-attaches to its interview with
// `resume` from `onOpen`. Backoff doubles from BASE_DELAY_MS up to MAX_DELAY_MS, with jitter so
// that many clients dropped by one server restart do not all come back at the same instant.

const BASE_DELAY_MS = 400;
const MAX_DELAY_MS = 8000;

export class InterviewSocket {
  /**
   * @param {string} url
   * @param {object} hooks
   *   onOpen()                   the connection is open (send `start` or `resume` now)
   *   onMessage(msg)             a parsed server frame
   *   onClose()                  the connection is gone (whether or not it will be retried)
   *   onStatus(status, detail)   'connecting' | 'open' | 'waiting' (detail: ms) | 'closed'
   *   shouldReconnect() → bool   asked after each unexpected close
   */
  constructor(url, hooks) {
    this.url = url;
    this.hooks = hooks;
    this.ws = null;
    this.attempt = 0;
    this.timer = null;
  }

  get isOpen() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  /** Opens the connection unless one is already open or opening. */
  connect() {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return;
    this.hooks.onStatus('connecting');
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.addEventListener('open', () => {
      if (this.ws !== ws) return;
      this.hooks.onStatus('open');
      this.hooks.onOpen();
    });
    ws.addEventListener('message', (event) => {
      if (this.ws !== ws) return;
      const msg = parse(event.data);
      if (msg) this.hooks.onMessage(msg);
    });
    // `error` is always followed by `close`; all the handling happens there.
    ws.addEventListener('close', () => {
      if (this.ws !== ws) return; // an old socket we replaced or closed on purpose
      this.ws = null;
      this.hooks.onClose();
      if (this.hooks.shouldReconnect()) this.scheduleReconnect();
      else this.hooks.onStatus('closed');
    });
  }

  /** Sends a message; returns false (and sends nothing) when the socket is not open. */
  send(message) {
    if (!this.isOpen) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  /** The server accepted us (a `session` arrived): the next drop starts the backoff afresh. */
  markHealthy() {
    this.attempt = 0;
  }

  /** Reconnects right away if a retry is pending (e.g. the browser says it is back online). */
  retryNow() {
    if (this.timer !== null) this.connect();
  }

  /** Closes on purpose: no reconnect. */
  close() {
    clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close(1000, 'bye');
    this.hooks.onStatus('closed');
  }

  scheduleReconnect() {
    const base = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** this.attempt);
    const delay = Math.round(base * (0.5 + Math.random() / 2));
    this.attempt += 1;
    this.hooks.onStatus('waiting', delay);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}

function parse(data) {
  if (typeof data !== 'string') return null;
  try {
    const msg = JSON.parse(data);
    return msg && typeof msg.type === 'string' ? msg : null;
  } catch {
    return null;
  }
}
