// Budgets in Cloudflare Durable Objects: one object per caller (idFromName(subject)), which runs one request at a
// time, so admission is atomic across every Worker instance. The class is exported for the user's wrangler.toml:
//
//   [[durable_objects.bindings]]
//   name = "BUDGETS"
//   class_name = "ProxyBudget"
//   [[migrations]]
//   tag = "v1"
//   new_sqlite_classes = ["ProxyBudget"]

import {
  type Admission,
  type AdmitResult,
  admitState,
  type BudgetState,
  emptyState,
  settleState,
} from "./budget.ts";
import type { LimitStore } from "./store.ts";

/** The parts of a Durable Object namespace binding this store uses. */
export interface BudgetNamespace {
  idFromName(name: string): unknown;
  get(id: never): { fetch(input: string, init?: RequestInit): Promise<Response> };
}

/** The parts of DurableObjectState the class uses. */
export interface BudgetObjectState {
  storage: { get(key: string): Promise<unknown>; put(key: string, value: unknown): Promise<void> };
  blockConcurrencyWhile<T>(callback: () => Promise<T>): Promise<T>;
}

/** Budgets shared by every instance of a Worker, one Durable Object per caller. */
export function durableObjectStore(namespace: BudgetNamespace): LimitStore {
  if (!namespace || typeof namespace.idFromName !== "function" || typeof namespace.get !== "function")
    throw new TypeError("durableObjectStore: pass the Durable Object namespace binding (env.BUDGETS)");
  const call = async (subject: string, op: string, body: unknown) => {
    const stub = namespace.get(namespace.idFromName(subject) as never);
    const response = await stub.fetch(`https://budget/${op}`, { method: "POST", body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`durableObjectStore: the budget object answered ${response.status}`);
    return response.json();
  };
  return {
    admit: (subject, admission) => call(subject, "admit", admission) as Promise<AdmitResult>,
    async settle(subject, id, tokens, now) {
      await call(subject, "settle", { id, tokens, now });
    },
  };
}

/** The Durable Object class behind durableObjectStore: export it from your Worker under the binding's class_name. */
export class ProxyBudget {
  private state: BudgetState = emptyState();
  constructor(private readonly ctx: BudgetObjectState) {
    ctx.blockConcurrencyWhile(async () => {
      const saved = (await ctx.storage.get("budget")) as BudgetState | undefined;
      if (saved) this.state = saved;
    });
  }

  async fetch(request: Request): Promise<Response> {
    const op = new URL(request.url).pathname;
    const body = (await request.json()) as Admission & { tokens: number; id: string };
    let result: unknown = null;
    if (op === "/admit") result = admitState(this.state, body);
    else if (op === "/settle") settleState(this.state, body.id, body.tokens);
    else return new Response("unknown operation", { status: 404 });
    // Storage writes are ordered and the output gate holds the answer until the write is durable.
    await this.ctx.storage.put("budget", this.state);
    return Response.json(result);
  }
}
