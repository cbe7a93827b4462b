import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { hmacHex } from '../../shared/crypto.js';
import { DomainError } from '../../shared/errors.js';
import { logger } from '../../shared/logger.js';
import { currentContext } from '../../shared/request-context.js';
import { Secrets } from '../../shared/secrets.js';
import {
  addressRefusal,
  addressStream,
  addressThrottleEvolver,
  decideAddressFailure,
  throttleAddress,
  windowOf,
  type AddressThrottleEvent,
  type AddressThrottleState,
  type AddressWindow,
} from './address-throttle.decider.js';

/**
 * Runs a login attempt under the per-client-address throttle: refused (429
 * `address_throttled`, not evaluated) once the address has `LOGIN_ADDRESS_MAX_FAILURES` failed
 * logins in the window, whatever account they were for. The address is the request's client
 * address as TRUST_PROXY defines it. Attempts in flight in this process count against the limit,
 * so a parallel burst from one address is not all evaluated.
 */
@Injectable()
export class AddressThrottle {
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly repo: AggregateRepository,
    private readonly secrets: Secrets,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private window(): AddressWindow {
    const address = throttleAddress(currentContext()?.ip);
    const seconds = this.config.loginAbuse.addressWindowSeconds;
    return {
      address,
      address_key: hmacHex(this.secrets.hmacKey, `login-address|${address}`).slice(0, 32),
      start: windowOf(this.clock.now().getTime(), seconds),
      seconds,
    };
  }

  /** Runs `run` unless the address is throttled; an error for which `failed` is true counts against the address. */
  async guard<T>(accountKey: string, run: () => Promise<T>, failed: (err: unknown) => boolean): Promise<T> {
    const w = this.window();
    const stream = addressStream(w.address_key, w.start);
    const { state } = await this.repo.load<AddressThrottleState, AddressThrottleEvent>(stream, addressThrottleEvolver);
    const busy = this.inFlight.get(stream) ?? 0;
    const retry = addressRefusal(state, busy, this.config.loginAbuse.addressMaxFailures, w, this.clock.now().getTime());
    if (retry !== null) {
      throw new DomainError(
        'address_throttled',
        429,
        `Too many failed sign-ins from your network. Try again in ${retry} s.`,
        { retry_after: retry },
        { 'Retry-After': String(retry) },
      );
    }
    this.inFlight.set(stream, busy + 1);
    try {
      return await run();
    } catch (err) {
      if (failed(err)) await this.recordFailure(stream, w, accountKey);
      throw err;
    } finally {
      const n = (this.inFlight.get(stream) ?? 1) - 1;
      if (n <= 0) this.inFlight.delete(stream);
      else this.inFlight.set(stream, n);
    }
  }

  private async recordFailure(stream: string, w: AddressWindow, accountKey: string): Promise<void> {
    const { addressMaxFailures: max, sprayMinAccounts } = this.config.loginAbuse;
    // the account is only counted (distinct accounts per address), so the log gets a keyed hash of
    // it, like the address: the caller's key is a plain SHA-256 of the e-mail, which a dictionary reverses
    const account = hmacHex(this.secrets.hmacKey, `login-account|${accountKey}`).slice(0, 32);
    const r = await this.repo.execute<AddressThrottleState, AddressThrottleEvent>(stream, addressThrottleEvolver, (s) =>
      decideAddressFailure(s, w, account, { max, sprayMinAccounts }),
    );
    if (r.events.some((e) => e.type === 'PasswordSprayingSuspected'))
      logger.warn(
        { alarm: 'password_spraying_suspected', address_key: w.address_key },
        'password spraying suspected from one client address',
      );
  }
}
