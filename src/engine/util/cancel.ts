/**
 * Cooperative cancellation for long jobs (training, surfaces). A job checks its token between units
 * of work and yields to the event loop so a cancel message can arrive; cancel then really stops the
 * work instead of merely hiding its answer.
 */

/** Thrown by {@link CancelToken.throwIfCancelled}; callers treat it as "stopped on request", not a failure. */
export class CancelledError extends Error {
  constructor(reason = 'cancelled') {
    super(reason);
    this.name = 'CancelledError';
  }
}

/** True for the error a cancelled job throws. */
export function isCancelled(err: unknown): boolean {
  return err instanceof CancelledError || (err instanceof Error && err.name === 'CancelledError');
}

/** A cancel flag with listeners. Create one per job; `cancel()` is idempotent. */
export class CancelToken {
  private reasonText: string | null = null;
  private readonly listeners = new Set<(reason: string) => void>();

  /** A token that is never cancelled (for callers that do not need cancel). */
  static none(): CancelToken {
    return new CancelToken();
  }

  get cancelled(): boolean {
    return this.reasonText !== null;
  }

  get reason(): string | null {
    return this.reasonText;
  }

  cancel(reason = 'cancelled'): void {
    if (this.reasonText !== null) return;
    this.reasonText = reason;
    for (const listener of this.listeners) listener(reason);
    this.listeners.clear();
  }

  /** Registers a callback run once on cancel; returns an unsubscribe function. */
  onCancel(listener: (reason: string) => void): () => void {
    if (this.reasonText !== null) {
      listener(this.reasonText);
      return () => {};
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  throwIfCancelled(): void {
    if (this.reasonText !== null) throw new CancelledError(this.reasonText);
  }
}

/** Resolves on the next macrotask, letting queued messages (such as a cancel) be delivered. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Yields to the event loop at most every `intervalMs` and throws if cancelled. Call it freely in
 * inner loops: between yields it costs one clock read.
 */
export class Checkpointer {
  private last = now();
  constructor(
    private readonly token: CancelToken,
    private readonly intervalMs = 30,
  ) {}

  async check(): Promise<void> {
    this.token.throwIfCancelled();
    const t = now();
    if (t - this.last >= this.intervalMs) {
      this.last = t;
      await yieldToEventLoop();
      this.token.throwIfCancelled();
    }
  }
}

/** Milliseconds from a monotonic clock (performance.now in browsers, workers and Node). */
export function now(): number {
  return globalThis.performance.now();
}
