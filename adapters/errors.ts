/**
 * Errors an adapter reports, one class per kind with a literal `code`. Messages say what went wrong
 * in words safe to show and log: never a URL, a body, a secret or personal data. The upstream
 * detail, when useful, is in `cause` (logged by the hub, never returned).
 */

export abstract class DepartmentError extends Error {
  abstract readonly code: string;
  /** Whether repeating the same read may succeed. */
  abstract readonly retryable: boolean;
  constructor(
    readonly department: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Connection refused/reset, 5xx, or the department said it is unavailable. */
export class UpstreamUnavailableError extends DepartmentError {
  readonly code = 'UPSTREAM_UNAVAILABLE';
  readonly retryable = true;
  override name = 'UpstreamUnavailableError';
}

/** The hub's time budget for the call ran out. */
export class UpstreamTimeoutError extends DepartmentError {
  readonly code = 'UPSTREAM_TIMEOUT';
  readonly retryable = true;
  override name = 'UpstreamTimeoutError';
}

/** 429: the department asks us to come back after `retryAfterMs`. */
export class RateLimitedError extends DepartmentError {
  readonly code = 'UPSTREAM_RATE_LIMITED';
  readonly retryable = true;
  override name = 'RateLimitedError';
  constructor(department: string, readonly retryAfterMs: number) {
    super(department, `the department asked to retry after ${retryAfterMs} ms`);
  }
}

/** The answer is not in the department's format (garbage, HTML error page, wrong shape). */
export class MalformedResponseError extends DepartmentError {
  readonly code = 'UPSTREAM_MALFORMED';
  readonly retryable = false;
  override name = 'MalformedResponseError';
}

/** The department refused the call (4xx other than 429, or a business error code). */
export class UpstreamRejectedError extends DepartmentError {
  readonly code = 'UPSTREAM_REJECTED';
  readonly retryable = false;
  override name = 'UpstreamRejectedError';
}

/** The adapter broke the batch contract (wrong length, wrong order). */
export class ContractViolationError extends DepartmentError {
  readonly code = 'ADAPTER_CONTRACT_VIOLATION';
  readonly retryable = false;
  override name = 'ContractViolationError';
}

/** A dependency of this department (e.g. the population record for health) is unavailable. */
export class DependencyUnavailableError extends DepartmentError {
  readonly code = 'DEPENDENCY_UNAVAILABLE';
  readonly retryable = false;
  override name = 'DependencyUnavailableError';
}
