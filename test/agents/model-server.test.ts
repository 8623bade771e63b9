// The model server fixture on its own, over plain fetch: the parts the real-CLI tests do not reach (hold/release,
// hang, non-streaming replies, side requests, housekeeping endpoints).
import { afterEach, describe, expect, it } from 'vitest';
import { lastUserText, startModelServer, toolNames, toolResults, turn, usage, when, type ModelServer, type Scenario } from '../fixtures/model-server/index.js';

const servers: ModelServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function start(scenario: Scenario): Promise<ModelServer> {
  const s = await startModelServer(scenario);
  servers.push(s);
  return s;
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** Parses an SSE body into { event, data } records. */
async function sse(res: Response): Promise<Array<{ event?: string; data: Record<string, unknown> }>> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((b) => b.trim() !== '')
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = JSON.parse(/^data: (.*)$/m.exec(block)![1]!) as Record<string, unknown>;
      return event === undefined ? { data } : { event, data };
    });
}

const anthropicBody = (text: string, extra: Record<string, unknown> = {}) => ({
  model: 'claude-test',
  max_tokens: 100,
  stream: true,
  tools: [{ name: 'Write', input_schema: { type: 'object' } }],
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: '<system-reminder>ctx</system-reminder>' },
        { type: 'text', text },
      ],
    },
  ],
  ...extra,
});

describe('model server', () => {
  it('streams an Anthropic tool_use turn with input_json_delta and usage, records the request without secrets', async () => {
    const s = await start({ turns: [turn.tools({ name: 'Write', input: { file_path: '/x', content: 'y' } }, { usage: usage(11, 7, 3, 2) })] });
    const res = await post(`${s.url}/v1/messages?beta=true`, anthropicBody('make x'), { 'x-api-key': 'sk-secret' });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const events = await sse(res);
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const json = events
      .filter((e) => e.event === 'content_block_delta')
      .map((e) => (e.data.delta as { partial_json: string }).partial_json)
      .join('');
    expect(JSON.parse(json)).toEqual({ file_path: '/x', content: 'y' });
    expect(events[5]!.data).toMatchObject({
      delta: { stop_reason: 'tool_use' },
      usage: { input_tokens: 11, output_tokens: 7, cache_read_input_tokens: 3, cache_creation_input_tokens: 2 },
    });
    const r = s.requests[0]!;
    expect(r).toMatchObject({ api: 'anthropic', main: true, turn: '0', status: 200, stream: true, query: { beta: 'true' } });
    expect(r.headers['x-api-key']).toBe('<redacted>');
    expect(lastUserText(r)).toBe('make x');
    expect(toolNames(r)).toEqual(['Write']);
  });

  it('answers non-streaming JSON, side requests (no tools), count_tokens and HEAD /', async () => {
    const s = await start({ turns: [turn.text('main answer')], sideText: 'a title' });
    const side = await (await post(`${s.url}/v1/messages`, { model: 'h', max_tokens: 5, messages: [{ role: 'user', content: 'title?' }] })).json();
    expect(side).toMatchObject({ type: 'message', content: [{ type: 'text', text: 'a title' }], stop_reason: 'end_turn' });
    const main = await (await post(`${s.url}/v1/messages`, anthropicBody('go', { stream: false }))).json();
    expect(main).toMatchObject({ content: [{ type: 'text', text: 'main answer' }], usage: { input_tokens: 10, output_tokens: 5 } });
    expect(await (await post(`${s.url}/v1/messages/count_tokens`, { messages: [] })).json()).toHaveProperty('input_tokens');
    expect((await fetch(s.url, { method: 'HEAD' })).status).toBe(200);
    expect(s.requests.map((r) => r.main)).toEqual([false, true, false, false]);
  });

  it('picks turns by matcher, counts `times`, and falls back (recorded in unmatched) when nothing matches', async () => {
    const s = await start({
      turns: [turn.error(529, { times: 2, match: when.userSays('busy') }), turn.text('ok', { match: when.userSays('hello') })],
    });
    expect((await post(`${s.url}/v1/messages`, anthropicBody('busy'))).status).toBe(529);
    const overloaded = await post(`${s.url}/v1/messages`, anthropicBody('busy'));
    expect(await overloaded.json()).toMatchObject({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    await (await post(`${s.url}/v1/messages`, anthropicBody('busy'))).text();
    await (await post(`${s.url}/v1/messages`, anthropicBody('hello'))).text();
    expect(s.requests.map((r) => [r.status, r.turn])).toEqual([
      [529, '0'],
      [529, '0'],
      [200, undefined],
      [200, '1'],
    ]);
    expect(s.unmatched).toHaveLength(1);
  });

  it('holds a turn until release(), and a hang never answers (close() still ends)', async () => {
    const s = await start({ turns: [turn.hold('gate', { kind: 'text', text: 'released' }), turn.hang()] });
    let done = false;
    const pending = post(`${s.url}/v1/messages`, anthropicBody('x', { stream: false })).then(async (r) => {
      done = true;
      return (await r.json()) as { content: Array<{ text: string }> };
    });
    const held = await s.held('gate');
    expect(lastUserText(held)).toBe('x');
    await new Promise((r) => setTimeout(r, 100));
    expect(done).toBe(false);
    s.release('gate');
    expect((await pending).content[0]!.text).toBe('released');

    const hung = post(`${s.url}/v1/messages`, anthropicBody('y')).catch((e: unknown) => e);
    const raced = await Promise.race([hung, new Promise((r) => setTimeout(() => r('still waiting'), 300))]);
    expect(raced).toBe('still waiting');
    await s.close();
    expect(await hung).toBeInstanceOf(Error);
  });

  it('speaks the OpenAI Responses API: function and custom tool calls, tool outputs, usage', async () => {
    const s = await start({
      turns: [
        turn.tools([
          { name: 'exec_command', input: { cmd: 'ls' } },
          { name: 'apply_patch', input: '*** Begin Patch\n*** End Patch\n' },
        ]),
        turn.text('done', { usage: usage(30, 4, 10), match: when.toolResultHas('file.txt') }),
      ],
    });
    const body = {
      model: 'gpt-5.5',
      stream: true,
      tools: [{ type: 'function', name: 'exec_command' }],
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'list' }] }],
    };
    const events = await sse(await post(`${s.url}/v1/responses`, body));
    expect(events.map((e) => e.event)).toEqual([
      'response.created',
      'response.output_item.added',
      'response.output_item.done',
      'response.output_item.added',
      'response.output_item.done',
      'response.completed',
    ]);
    const items = events.filter((e) => e.event === 'response.output_item.done').map((e) => e.data.item as Record<string, unknown>);
    expect(items[0]).toMatchObject({ type: 'function_call', name: 'exec_command', arguments: '{"cmd":"ls"}' });
    expect(items[1]).toMatchObject({ type: 'custom_tool_call', name: 'apply_patch', input: '*** Begin Patch\n*** End Patch\n' });
    const input = [
      ...body.input,
      { type: 'function_call', call_id: items[0]!.call_id, name: 'exec_command', arguments: '{}' },
      { type: 'function_call_output', call_id: items[0]!.call_id, output: 'file.txt' },
    ];
    const second = await sse(await post(`${s.url}/v1/responses`, { ...body, input }));
    expect(second.at(-1)!.data.response).toMatchObject({ usage: { input_tokens: 30, output_tokens: 4, input_tokens_details: { cached_tokens: 10 } } });
    expect(toolResults(s.requests[1]!)).toEqual([{ id: items[0]!.call_id, output: 'file.txt' }]);
    expect((await post(`${s.url}/v1/responses`, { ...body, stream: false })).status).toBe(200);
  });

  it('speaks Gemini generateContent: SSE chunks with functionCall, JSON side replies that fit the schema, vendor error shape', async () => {
    const s = await start({ turns: [turn.tools({ name: 'write_file', input: { file_path: 'a', content: 'b' } }, { usage: usage(9, 2) }), turn.error(429)] });
    const tools = [{ functionDeclarations: [{ name: 'write_file' }] }];
    const body = { contents: [{ role: 'user', parts: [{ text: 'write a' }] }], tools };
    const chunks = await sse(await post(`${s.url}/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse`, body));
    expect(chunks.at(-1)!.data).toMatchObject({
      candidates: [
        { content: { role: 'model', parts: [{ functionCall: { name: 'write_file', args: { file_path: 'a', content: 'b' } } }] }, finishReason: 'STOP' },
      ],
      usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 2 },
    });
    const schema = {
      type: 'OBJECT',
      properties: { next_speaker: { type: 'STRING', enum: ['user', 'model'] }, score: { type: 'INTEGER' } },
      required: ['next_speaker', 'score'],
    };
    const side = (await (
      await post(`${s.url}/v1beta/models/flash:generateContent`, {
        contents: body.contents,
        generationConfig: { responseMimeType: 'application/json', responseJsonSchema: schema },
      })
    ).json()) as { candidates: Array<{ content: { parts: Array<{ text: string }> } }> };
    expect(JSON.parse(side.candidates[0]!.content.parts[0]!.text)).toEqual({ next_speaker: 'user', score: 1 });
    const err = await post(`${s.url}/v1beta/models/gemini-2.5-pro:generateContent`, body);
    expect(err.status).toBe(429);
    expect(await err.json()).toEqual({ error: { code: 429, message: 'HTTP 429', status: 'RESOURCE_EXHAUSTED' } });
  });
});
