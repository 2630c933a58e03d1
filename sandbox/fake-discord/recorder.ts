/**
 * Everything the bot asked of the fake Discord, in order, with what the fake answered, plus
 * the payload/protocol violations it committed and the routes the fake does not know.
 * Tests read these arrays directly or wait for a request with `waitFor`.
 */
import type { ViolationKind } from './discord-errors.js';
import { describeIssues, type FormIssue } from './limits.js';

export interface RecordedFile {
  /** Multipart field name, `files[0]` for discord.js. */
  readonly field: string;
  readonly filename: string;
  readonly contentType: string;
  readonly data: Buffer;
}

export interface RecordedRequest {
  /** Position in `requests`; compare with a `mark()`. */
  readonly seq: number;
  readonly method: string;
  /** Decoded path below `/api/v10`, without query: `/webhooks/1/tok/messages/@original`. */
  readonly path: string;
  /** Normalised route: `/channels/:id/messages/:id/reactions/:emoji/@me`. */
  readonly route: string;
  readonly query: Readonly<Record<string, string>>;
  /** Lower-cased request headers, without `authorization`. */
  readonly headers: Readonly<Record<string, string>>;
  /** Whether an `Authorization` header was sent (its value is never recorded). */
  readonly authorized: boolean;
  /** Parsed JSON body; for multipart bodies, the parsed `payload_json` part. */
  readonly body: unknown;
  /** Uploaded files of a multipart body. */
  readonly files: readonly RecordedFile[];
  /** Date.now() when the request arrived. */
  readonly at: number;
  /** Status the fake answered with (0 while the request is being handled). */
  status: number;
  /** JSON body the fake answered with; undefined for 204. */
  response: unknown;
}

export interface Violation {
  readonly kind: ViolationKind;
  readonly request: RecordedRequest;
  readonly issues: readonly FormIssue[];
  /** One line per problem, for readable test failures. */
  readonly summary: string;
}

export type RequestPredicate = (request: RecordedRequest) => boolean;

export interface WaitOptions {
  readonly timeoutMs?: number;
  /** Only consider requests with `seq >= since` (a value from `mark()`). Default 0: all. */
  readonly since?: number;
}

interface Waiter {
  readonly predicate: RequestPredicate;
  readonly since: number;
  readonly resolve: (request: RecordedRequest) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class RequestRecorder {
  readonly requests: RecordedRequest[] = [];
  readonly violations: Violation[] = [];
  readonly unknownRoutes: RecordedRequest[] = [];
  private readonly waiters = new Set<Waiter>();
  /** Called after every answered request (the sandbox page streams what changed). */
  private readonly listeners = new Set<(request: RecordedRequest) => void>();

  onComplete(listener: (request: RecordedRequest) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  begin(request: Omit<RecordedRequest, 'seq' | 'status' | 'response'>): RecordedRequest {
    const recorded: RecordedRequest = { ...request, seq: this.requests.length, status: 0, response: undefined };
    this.requests.push(recorded);
    return recorded;
  }

  /** Marks the request answered; only answered requests satisfy waiters. */
  complete(request: RecordedRequest, status: number, response: unknown): void {
    request.status = status;
    request.response = response;
    for (const waiter of this.waiters) {
      if (request.seq >= waiter.since && waiter.predicate(request)) {
        this.waiters.delete(waiter);
        clearTimeout(waiter.timer);
        waiter.resolve(request);
      }
    }
    for (const listener of this.listeners) listener(request);
  }

  addViolation(kind: ViolationKind, request: RecordedRequest, issues: readonly FormIssue[], detail?: string): void {
    const lines = issues.length > 0 ? describeIssues(issues) : [detail ?? kind];
    this.violations.push({ kind, request, issues, summary: `${request.method} ${request.route}: ${lines.join('; ')}` });
  }

  mark(): number {
    return this.requests.length;
  }

  waitFor(predicate: RequestPredicate, options: WaitOptions = {}): Promise<RecordedRequest> {
    const since = options.since ?? 0;
    const found = this.requests.find((r) => r.seq >= since && r.status !== 0 && predicate(r));
    if (found) return Promise.resolve(found);
    const timeoutMs = options.timeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const recent = this.requests
          .slice(-15)
          .map((r) => `  ${r.method} ${r.path} → ${r.status}`)
          .join('\n');
        reject(new Error(`fake discord: no matching request within ${timeoutMs} ms; last requests:\n${recent || '  (none)'}`));
      }, timeoutMs);
      const waiter: Waiter = { predicate, since, resolve, reject, timer };
      this.waiters.add(waiter);
    });
  }

  close(): void {
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('fake discord: closed while waiting for a request'));
    }
    this.waiters.clear();
  }
}
