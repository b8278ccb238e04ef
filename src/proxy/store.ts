// Where per-caller budgets live. One instance: memoryStore (the default). Several instances: a store they share
// (durableObjectStore on Workers, redisStore on Node/Deno/Bun), whose admit is atomic per caller.

import {
  type Admission,
  type AdmitResult,
  admitState,
  type BudgetState,
  emptyState,
  settleState,
} from "./budget.ts";

export type { Admission, AdmitResult, LimitName } from "./budget.ts";

export interface LimitStore {
  /** Atomically checks the caller's limits and, when they allow it, reserves `admission.tokens`. */
  admit(subject: string, admission: Admission): Promise<AdmitResult>;
  /** Replaces reservation `id` by the tokens actually used (0 releases it). Unknown ids are ignored. */
  settle(subject: string, id: string, tokens: number, now: number): Promise<void>;
}

/** Budgets in this process's memory: right for one proxy instance (and tests). */
export function memoryStore(): LimitStore {
  const states = new Map<string, BudgetState>();
  return {
    async admit(subject, admission) {
      let state = states.get(subject);
      if (!state) {
        state = emptyState();
        states.set(subject, state);
      }
      return admitState(state, admission);
    },
    async settle(subject, id, tokens) {
      const state = states.get(subject);
      if (state) settleState(state, id, tokens);
    },
  };
}
