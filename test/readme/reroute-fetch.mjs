// Preloaded into README snippets by test/readme: calls to AWS's Bedrock endpoints go to the local emulator
// instead (BEDROCK_EDGE_EMULATOR_URL), so the snippets run for real, offline.
const target = process.env.BEDROCK_EDGE_EMULATOR_URL;
const original = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const request = new Request(input, init);
  const url = new URL(request.url);
  if (target && /^bedrock-runtime\.[a-z0-9-]+\.amazonaws\.com$/.test(url.hostname)) {
    const rerouted = new URL(url.pathname + url.search, target);
    return original(new Request(rerouted, request), init?.signal ? { signal: init.signal } : undefined);
  }
  return original(request);
};
