// Drives Atrium's OpenAI-compatible API with the official `openai` package, unchanged but for base URL and key.
// Run by OpenAiNodeClientTest, which scripts the fake provider behind Atrium in the order of the calls below and
// checks the JSON printed on stdout. Configuration comes from the environment.
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: process.env.ATRIUM_BASE_URL, apiKey: process.env.ATRIUM_API_KEY, maxRetries: 0 });
const model = process.env.ATRIUM_MODEL;
const result = {};

const models = await client.models.list();
result.models = models.data.map((m) => m.id);

const completion = await client.chat.completions.create({
  model,
  messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Which rooms need lab coats?' }],
  temperature: 0.2,
});
result.completion = { text: completion.choices[0].message.content, finish: completion.choices[0].finish_reason,
  usage: completion.usage };

const stream = await client.chat.completions.create({
  model, stream: true, stream_options: { include_usage: true },
  messages: [{ role: 'user', content: 'Count to four.' }],
});
let streamed = '';
let streamUsage = null;
let chunks = 0;
for await (const chunk of stream) {
  chunks++;
  streamed += chunk.choices[0]?.delta?.content ?? '';
  if (chunk.usage) streamUsage = chunk.usage;
}
result.stream = { text: streamed, chunks, usage: streamUsage };

const tools = [{ type: 'function', function: { name: 'get_weather', description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];
const conversation = [{ role: 'user', content: 'Weather in Oslo?' }];
const called = await client.chat.completions.create({ model, messages: conversation, tools, tool_choice: 'auto' });
const call = called.choices[0].message.tool_calls[0];
conversation.push(called.choices[0].message);
conversation.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify({ celsius: 4 }) });
const answered = await client.chat.completions.create({ model, messages: conversation, tools });
result.tools = { finish: called.choices[0].finish_reason, name: call.function.name, arguments: call.function.arguments,
  answer: answered.choices[0].message.content };

const structured = await client.chat.completions.create({
  model, messages: [{ role: 'user', content: 'When is the deadline?' }],
  response_format: { type: 'json_schema', json_schema: { name: 'grant', strict: true,
    schema: { type: 'object', properties: { deadline: { type: 'string' } }, required: ['deadline'] } } },
});
result.structured = JSON.parse(structured.choices[0].message.content);

const embeddings = await client.embeddings.create({ model: process.env.ATRIUM_EMBEDDING_MODEL,
  input: ['kiwi and more kiwi', 'granite'] });
result.embeddings = embeddings.data.map((e) => Array.from(e.embedding));

try {
  await client.chat.completions.create({ model: model + '-missing', messages: [{ role: 'user', content: 'Hi' }] });
  result.error = null;
} catch (error) {
  result.error = { status: error.status, code: error.code, type: error.type, message: error.message };
}

process.stdout.write(JSON.stringify(result));
