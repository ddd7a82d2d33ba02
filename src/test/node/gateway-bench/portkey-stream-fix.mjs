// Preloaded into Portkey's gateway (node --import) for GatewayBenchmark. Portkey 1.15.2 on Node adds its headers to
// the upstream's streaming Response, whose headers fetch made immutable, and fails every streamed chat completion
// with "TypeError: immutable" (Portkey-AI/gateway#1550, fixed upstream by PR #1551 the same way): streaming responses
// are copied into a Response with mutable headers. Nothing else changes; non-streaming responses are untouched.
const upstreamFetch = globalThis.fetch;
globalThis.fetch = async (...args) => {
  const response = await upstreamFetch(...args);
  if (!response.headers.get('content-type')?.startsWith('text/event-stream')) {
    return response;
  }
  return new Response(response.body, {status: response.status, statusText: response.statusText,
    headers: new Headers(response.headers)});
};
