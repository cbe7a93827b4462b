import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from './clock.js';
import { DomainError } from './errors.js';

/**
 * A fixed-window counter per (bucket, client IP), in process memory. It guards public endpoints
 * that write before anyone is authenticated (e.g. passkey login options, which record a
 * challenge), so one client cannot flood the event log. Not shared across processes: a front
 * proxy's limit is still the first line in a multi-instance deployment.
 */
@Injectable()
export class IpRateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  /** Counts one request; throws 429 rate_limited with Retry-After beyond `limit` per `windowSeconds`. */
  hit(bucket: string, ip: string | null | undefined, limit: number, windowSeconds: number): void {
    const now = this.clock.now().getTime();
    const key = `${bucket}|${ip ?? 'unknown'}`;
    const w = this.windows.get(key);
    if (!w || now - w.start >= windowSeconds * 1000) {
      if (this.windows.size > 100_000) this.sweep(now, windowSeconds);
      this.windows.set(key, { start: now, count: 1 });
      return;
    }
    w.count++;
    if (w.count > limit) {
      const retry = Math.max(1, Math.ceil((w.start + windowSeconds * 1000 - now) / 1000));
      throw new DomainError(
        'rate_limited',
        429,
        `Too many requests from this address; try again in ${retry} s.`,
        { retry_after: retry },
        { 'Retry-After': String(retry) },
      );
    }
  }

  private sweep(now: number, windowSeconds: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= windowSeconds * 1000) this.windows.delete(k);
  }
}
