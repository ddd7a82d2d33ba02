// A fast fake OpenAI upstream for GatewayBenchmark: POST .../chat/completions answers a fixed small completion, or,
// when the body asks for "stream": true, a few SSE chunks and [DONE]; GET .../models lists one model. Prints
// "listening <port>" once it serves. Usage: node fake-openai.mjs [port]
import http from 'node:http';

const created = 1700000000;
const completion = JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion', created, model: 'bench-model',
  choices: [{index: 0, message: {role: 'assistant', content: 'Hello from the fake upstream.'}, finish_reason: 'stop'}],
  usage: {prompt_tokens: 5, completion_tokens: 6, total_tokens: 11},
});
const chunk = (choices, usage) => 'data: ' + JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion.chunk', created, model: 'bench-model', choices,
  ...(usage ? {usage} : {}),
}) + '\n\n';
const events = [
  chunk([{index: 0, delta: {role: 'assistant', content: ''}, finish_reason: null}]),
  chunk([{index: 0, delta: {content: 'Hello'}, finish_reason: null}]),
  chunk([{index: 0, delta: {content: ' from the'}, finish_reason: null}]),
  chunk([{index: 0, delta: {content: ' fake upstream.'}, finish_reason: null}]),
  chunk([{index: 0, delta: {}, finish_reason: 'stop'}]),
  chunk([], {prompt_tokens: 5, completion_tokens: 6, total_tokens: 11}),
  'data: [DONE]\n\n',
];
const models = JSON.stringify({object: 'list', data: [{id: 'bench-model', object: 'model', created, owned_by: 'bench'}]});
const streaming = /"stream"\s*:\s*true/;

const server = http.createServer((request, response) => {
  if (request.method === 'GET' && request.url.endsWith('/models')) {
    response.writeHead(200, {'content-type': 'application/json', 'content-length': Buffer.byteLength(models)});
    response.end(models);
    return;
  }
  if (request.method !== 'POST' || !request.url.endsWith('/chat/completions')) {
    response.writeHead(404, {'content-type': 'application/json'});
    response.end('{"error":{"message":"not found","type":"invalid_request_error"}}');
    return;
  }
  const parts = [];
  request.on('data', part => parts.push(part));
  request.on('end', () => {
    if (streaming.test(Buffer.concat(parts).toString('utf8'))) {
      response.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache'});
      for (const event of events) {
        response.write(event);
      }
      response.end();
    } else {
      response.writeHead(200, {'content-type': 'application/json', 'content-length': Buffer.byteLength(completion)});
      response.end(completion);
    }
  });
});
server.keepAliveTimeout = 120_000;
server.headersTimeout = 121_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => console.log('listening ' + server.address().port));
