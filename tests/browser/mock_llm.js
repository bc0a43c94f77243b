// A real HTTP server that speaks enough of the OpenAI chat-completions API to grade through
// rehearse's LLM path: judgements written from the request's JSON schema alone (as a server that
// turns the schema into a grammar would), a short streamed coach reply, follow-up questions, the
// answer rewrite and the summary narrative.

import http from 'node:http';

export const REWRITE = 'I would explain the idea from the start, say why it matters, and give a short example of it in use.';

/** A value that follows `schema`: consts, the score enum's 4, the first quote, the last gap offered. */
export function fromSchema(schema, path = []) {
  if ('const' in schema) return schema.const;
  const field = path.at(-1) ?? '';
  if (Array.isArray(schema.enum)) {
    if (schema.enum.some(Number.isInteger)) {
      return schema.enum.filter(Number.isInteger).reduce((a, b) => (Math.abs(b - 4) < Math.abs(a - 4) ? b : a));
    }
    if (field === 'reason') return schema.enum.at(-1);
    return schema.enum.find((v) => typeof v === 'string') ?? schema.enum[0];
  }
  if (schema.anyOf) return fromSchema(schema.anyOf[0], path);
  let type = schema.type ?? 'object';
  if (Array.isArray(type)) type = type.find((t) => t !== 'null') ?? 'null';
  switch (type) {
    case 'object': {
      const out = {};
      for (const [k, sub] of Object.entries(schema.properties ?? {})) out[k] = fromSchema(sub, [...path, k]);
      // Every key point but the last is covered, so the judge asks about the last.
      const keys = Object.keys(out);
      if (field === 'key_points' && keys.length) out[keys.at(-1)].covered = false;
      return out;
    }
    case 'array':
      if (schema.maxItems === 0) return [];
      if (field === 'strengths') return ['Names the central idea.'];
      if (field === 'improvements') return ['Give a concrete example.'];
      return [fromSchema(schema.items ?? { type: 'string' }, [...path, 'item'])];
    case 'boolean':
      return path.at(-2) !== 'result';
    case 'integer':
    case 'number':
      return 4;
    case 'string':
      return { rationale: 'Clear and mostly complete.', note: 'noted', text: 'Could you give an example?' }[field] ?? 'ok';
    default:
      return null;
  }
}

function completion(content) {
  return JSON.stringify({
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
  });
}

function reply(body, res) {
  const prompt = (body.messages ?? []).map((m) => m.content).join('\n');
  if (body.stream) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const t of ['Good ', 'start: ', 'add ', 'an ', 'example.']) {
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: t } }] })}\n\n`);
    }
    res.end('data: [DONE]\n\n');
    return;
  }
  let content = 'ok';
  const schema = body.response_format?.json_schema?.schema ?? body.response_format?.schema;
  if (prompt.includes('end-of-interview summary')) {
    content = JSON.stringify({ strengths: ['Explains ideas clearly'], focus_areas: ['Give examples'], topics_to_review: ['threads'] });
  } else if (schema) {
    content = JSON.stringify(fromSchema(schema));
  } else if (prompt.includes('Reply with the rewritten answer only')) {
    content = REWRITE;
  } else if (prompt.includes('Reply with the follow-up question only')) {
    content = 'What would change if the work were CPU-bound?';
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(completion(content));
}

/**
 * Starts the mock on a free loopback port; resolves to `{ url, close }`. `judgeDelayMs` holds
 * back every non-streamed reply (the judge), as a slow model would.
 */
export async function startMockLlm({ judgeDelayMs = 0 } = {}) {
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', async () => {
      try {
        const body = JSON.parse(data || '{}');
        if (judgeDelayMs && !body.stream) await new Promise((r) => setTimeout(r, judgeDelayMs));
        reply(body, res);
      } catch (e) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: String(e) } }));
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/v1`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
