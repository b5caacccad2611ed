/**
 * A circuit breaker per department: after `failureThreshold` consecutive failed calls it opens and
 * calls fail at once (the cache serves what it can, STALE) for `openMs`; then one trial call goes
 * through (half-open): success closes it, failure opens it again.
 */
export type BreakerState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;
  private state_: BreakerState = 'CLOSED';

  constructor(
    private readonly failureThreshold: number,
    private readonly openMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): BreakerState {
    if (this.state_ === 'OPEN' && this.now() - this.openedAt >= this.openMs) return 'HALF_OPEN';
    return this.state_;
  }

  /** Whether a call may go to the department now (in half-open state, one at a time). */
  allow(): boolean {
    const s = this.state;
    if (s === 'CLOSED') return true;
    if (s === 'OPEN' || this.trialInFlight) return false;
    this.trialInFlight = true;
    this.state_ = 'HALF_OPEN';
    return true;
  }

  success(): void {
    this.failures = 0;
    this.trialInFlight = false;
    this.state_ = 'CLOSED';
  }

  failure(): void {
    this.trialInFlight = false;
    this.failures++;
    if (this.state_ === 'HALF_OPEN' || this.failures >= this.failureThreshold) {
      this.state_ = 'OPEN';
      this.openedAt = this.now();
    }
  }
}
