// The input this window sent when it created a run. A run's stored `input`
// need not be that object (the official SDK types it as per-node values), so
// Run Again and Run It Now resend what was sent whenever it is still held.
// Bounded by count and by bytes: inputs may be megabytes each.

export interface SentInputsLimits {
  /** Runs remembered (newest kept). */
  maxRuns: number;
  /** JSON bytes held in all; an input larger than this is not kept at all. */
  maxBytes: number;
}

const DEFAULT_LIMITS: SentInputsLimits = { maxRuns: 200, maxBytes: 8 * 1024 * 1024 };

export class SentInputs {
  // Held as JSON text: one compact copy whose length is its byte count, parsed afresh on each get.
  private readonly held = new Map<string, string>();
  private bytes = 0;

  constructor(private readonly limits: SentInputsLimits = DEFAULT_LIMITS) {}

  /** Remembers a copy (so later edits by the caller do not change it). */
  remember(runId: string, input: Record<string, unknown>): void {
    this.forget(runId);
    const text = JSON.stringify(input);
    if (text.length > this.limits.maxBytes) return;
    this.held.set(runId, text);
    this.bytes += text.length;
    for (const [id] of this.held) {
      if (this.held.size <= this.limits.maxRuns && this.bytes <= this.limits.maxBytes) break;
      this.forget(id);
    }
  }

  /** A copy of what was sent for the run, or undefined when this window did not start it (or no longer holds it). */
  get(runId: string): Record<string, unknown> | undefined {
    const text = this.held.get(runId);
    return text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>);
  }

  get size(): number {
    return this.held.size;
  }

  clear(): void {
    this.held.clear();
    this.bytes = 0;
  }

  private forget(runId: string): void {
    const text = this.held.get(runId);
    if (text === undefined) return;
    this.held.delete(runId);
    this.bytes -= text.length;
  }
}
