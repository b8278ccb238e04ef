// Budgets in Redis, shared by every proxy process: one key per caller holding the state as JSON, changed only by
// Lua scripts (atomic in Redis) that apply the same rules as budget.ts. Works with `redis` (node-redis 4+) and
// `ioredis` clients, detected by shape; nothing is imported from either.

import type { LimitStore } from "./store.ts";

/** A node-redis client (`createClient()`), or an ioredis client (`new Redis()`). */
export type RedisClient =
  | { sendCommand(args: string[]): Promise<unknown> }
  | { call(command: string, ...args: (string | number)[]): Promise<unknown> };

export interface RedisStoreOptions {
  /** Key prefix. Default "bedrock-edge:budget:". */
  prefix?: string;
}

const SETTLE = `
local function settle(s, id, tokens)
  local h = s.f[id]
  if not h then return end
  s.f[id] = nil
  if h[2] == s.m then s.mh = s.mh - h[1]; s.mt = s.mt + tokens end
  if h[3] == s.d then s.dh = s.dh - h[1]; s.dt = s.dt + tokens end
end
local function load()
  local raw = redis.call('GET', KEYS[1])
  if raw then return cjson.decode(raw) end
  return { m = 0, mr = 0, mt = 0, mh = 0, d = 0, dt = 0, dh = 0, f = {} }
end
local function save(s)
  redis.call('SET', KEYS[1], cjson.encode(s), 'PX', 172800000)
end
`;

// ARGV: id, now, tokens, ttlMs, concurrent, rpm, tpd, tpm (0 = no limit)
const ADMIT = `${SETTLE}
local s = load()
local id, now, tokens, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local cc, rpm, tpd, tpm = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
for k, h in pairs(s.f) do if h[4] <= now then settle(s, k, h[1]) end end
local minute = math.floor(now / 60000)
local day = math.floor(now / 86400000)
if minute ~= s.m then s.m = minute; s.mr = 0; s.mt = 0; s.mh = 0 end
if day ~= s.d then s.d = day; s.dt = 0; s.dh = 0 end
local toMinuteEnd = (minute + 1) * 60000 - now
local running = 0
for _ in pairs(s.f) do running = running + 1 end
local function refuse(limit, after, spent)
  save(s)
  return cjson.encode({ ok = false, limit = limit, retryAfterMs = after, spent = spent })
end
if cc > 0 and running >= cc then return refuse('concurrentRequests', 1000) end
if rpm > 0 and s.mr + 1 > rpm then return refuse('requestsPerMinute', toMinuteEnd) end
if tpd > 0 then
  if s.dt + tokens > tpd then return refuse('tokensPerDay', (day + 1) * 86400000 - now, true) end
  if s.dt + s.dh + tokens > tpd then return refuse('tokensPerDay', 1000) end
end
if tpm > 0 and s.mt + s.mh + tokens > tpm then
  local after = toMinuteEnd
  if running > 0 then after = 1000 end
  return refuse('tokensPerMinute', after)
end
s.mr = s.mr + 1
s.mh = s.mh + tokens
s.dh = s.dh + tokens
s.f[id] = { tokens, minute, day, now + ttl }
save(s)
return '{"ok":true}'
`;

// ARGV: id, tokens
const SETTLE_SCRIPT = `${SETTLE}
local s = load()
settle(s, ARGV[1], tonumber(ARGV[2]))
save(s)
return 1
`;

async function sha1(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Budgets shared through Redis by every proxy instance. Pass a connected `redis` or `ioredis` client. */
export function redisStore(client: RedisClient, options: RedisStoreOptions = {}): LimitStore {
  const send =
    client && "call" in client && typeof client.call === "function"
      ? (args: string[]) =>
          (client as { call: (c: string, ...a: string[]) => Promise<unknown> }).call(
            args[0],
            ...args.slice(1),
          )
      : client && "sendCommand" in client && typeof client.sendCommand === "function"
        ? (args: string[]) => (client as { sendCommand(a: string[]): Promise<unknown> }).sendCommand(args)
        : undefined;
  if (!send) throw new TypeError("redisStore: pass a connected client from the `redis` or `ioredis` package");
  const prefix = options.prefix ?? "bedrock-edge:budget:";
  const shas = new Map<string, Promise<string>>();
  const run = async (script: string, key: string, args: (string | number)[]) => {
    let sha = shas.get(script);
    if (!sha) {
      sha = sha1(script);
      shas.set(script, sha);
    }
    const rest = ["1", key, ...args.map(String)];
    try {
      return await send(["EVALSHA", await sha, ...rest]);
    } catch (error) {
      if (!String((error as Error)?.message).includes("NOSCRIPT")) throw error;
      return send(["EVAL", script, ...rest]);
    }
  };
  return {
    async admit(subject, a) {
      const l = a.limits;
      const raw = await run(ADMIT, prefix + subject, [
        a.id,
        a.now,
        a.tokens,
        a.ttlMs,
        l.concurrentRequests ?? 0,
        l.requestsPerMinute ?? 0,
        l.tokensPerDay ?? 0,
        l.tokensPerMinute ?? 0,
      ]);
      const result = JSON.parse(String(raw));
      if (result.spent !== true) delete result.spent;
      return result;
    },
    async settle(subject, id, tokens) {
      await run(SETTLE_SCRIPT, prefix + subject, [id, tokens]);
    },
  };
}
