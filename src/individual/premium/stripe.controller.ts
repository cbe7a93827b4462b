import { Controller, Headers, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import Stripe from 'stripe';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import { ConcurrencyError } from '../../eventstore/event-store.port.js';
import { ProjectionEngine } from '../../projections-runtime/projection-engine.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { badRequest, DomainError } from '../../shared/errors.js';
import { logger } from '../../shared/logger.js';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { CurrentAuth, Public } from '../../identity/auth/decorators.js';
import { RequiresSubsystem } from '../../tenant-tier/requires-subsystem.js';
import type { UserView } from '../../../projections/users.js';
import type { IndividualContextView } from '../../../projections/individual-contexts.js';
import {
  decideDowngrade,
  decideStripe,
  individualEvolver,
  individualStream,
  isPremiumActive,
  type IndividualEvent,
  type IndividualState,
  type StripeChange,
} from '../profile/individual.decider.js';

const isoFromUnix = (s: number | null | undefined) => (typeof s === 'number' ? new Date(s * 1000).toISOString() : null);

/** What an event says, in our terms: the subscription, its period end, and who it belongs to. */
function readEvent(event: Stripe.Event): { change: StripeChange; user_id: string | null; customer: string | null } | null {
  const ref = { id: event.id, created: event.created };
  const obj = event.data.object as unknown as Record<string, any>;
  if (event.type.startsWith('customer.subscription.')) {
    const periodEnd = obj.items?.data?.[0]?.current_period_end ?? obj.current_period_end ?? null;
    const ended =
      event.type === 'customer.subscription.deleted' ||
      obj.cancel_at_period_end === true ||
      ['canceled', 'unpaid', 'incomplete_expired'].includes(obj.status);
    const active = ['active', 'trialing'].includes(obj.status);
    if (!ended && !active) return null;
    return {
      change: { kind: ended ? 'cancelled' : 'paid', subscription_id: obj.id, period_end: isoFromUnix(periodEnd), event: ref },
      user_id: obj.metadata?.user_id ?? null,
      customer: typeof obj.customer === 'string' ? obj.customer : (obj.customer?.id ?? null),
    };
  }
  if (event.type === 'invoice.paid') {
    const details = obj.parent?.subscription_details ?? {};
    const sub = details.subscription ?? obj.subscription ?? null;
    if (!sub) return null;
    return {
      change: {
        kind: 'paid',
        subscription_id: typeof sub === 'string' ? sub : sub.id,
        period_end: isoFromUnix(obj.lines?.data?.[0]?.period?.end),
        event: ref,
      },
      user_id: details.metadata?.user_id ?? obj.subscription_details?.metadata?.user_id ?? null,
      customer: typeof obj.customer === 'string' ? obj.customer : (obj.customer?.id ?? null),
    };
  }
  return null;
}

/**
 * Without Stripe configured its routes answer 404 stripe_not_configured (a missing feature, not a server error).
 *
 * Premium through Stripe (F02.08.04), with the official `stripe` package: Checkout Sessions for
 * the upgrade, and a webhook verified with its signature check, idempotent by Stripe event id,
 * applying subscription created/updated/deleted and invoice.paid in event-time order.
 */
@ApiTags('individual')
@Controller()
export class StripeController {
  private readonly stripe: Stripe | null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: AggregateRepository,
    private readonly projections: ProjectionEngine,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    const api = config.stripe.apiUrl ? new URL(config.stripe.apiUrl) : null;
    this.stripe = config.stripe.secretKey
      ? new Stripe(config.stripe.secretKey, {
          maxNetworkRetries: 1,
          ...(api
            ? {
                host: api.hostname,
                port: Number(api.port || (api.protocol === 'https:' ? 443 : 80)),
                protocol: api.protocol.replace(':', '') as 'http' | 'https',
              }
            : {}),
        })
      : null;
  }

  private client(): Stripe {
    if (!this.stripe)
      throw new DomainError('stripe_not_configured', 404, 'Payments are not configured on this server (STRIPE_SECRET_KEY).');
    return this.stripe;
  }

  @ApiBearerAuth()
  @RequiresSubsystem('F02.08')
  @Post('me/subscription/checkout')
  @HttpCode(201)
  async checkout(@CurrentAuth() auth: AuthContext) {
    const stripe = this.client();
    if (!this.config.stripe.priceId) throw new DomainError('stripe_not_configured', 404, 'No STRIPE_PRICE_ID is configured.');
    const s = await this.player(auth.user_id);
    let customer = s.stripe_customer_id;
    if (!customer) {
      const user = await this.reads.collection<UserView>('users').get(auth.user_id);
      customer = (await stripe.customers.create({ email: user?.email, metadata: { user_id: auth.user_id } })).id;
      const r = await this.repo.execute<IndividualState, IndividualEvent>(individualStream(auth.user_id), individualEvolver, () => [
        { type: 'StripeCustomerLinked', data: { user_id: auth.user_id, customer_id: customer! } },
      ]);
      await this.projections.waitFor(r.position);
    }
    const base = this.config.publicBaseUrl.replace(/\/+$/, '');
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer,
      client_reference_id: auth.user_id,
      metadata: { user_id: auth.user_id },
      subscription_data: { metadata: { user_id: auth.user_id } },
      line_items: [{ price: this.config.stripe.priceId, quantity: 1 }],
      success_url: `${base}/account/premium?checkout=success`,
      cancel_url: `${base}/account/premium?checkout=cancelled`,
    });
    return { session_id: session.id, url: session.url };
  }

  /** Downgrade: FREE at the end of the paid period (Stripe cancels at period end); premium_valid_until stays. */
  @ApiBearerAuth()
  @RequiresSubsystem('F02.08')
  @Post('me/subscription/downgrade')
  @HttpCode(200)
  async downgrade(@CurrentAuth() auth: AuthContext) {
    const s = await this.player(auth.user_id);
    if (this.stripe && s.stripe_subscription_id)
      await this.stripe.subscriptions.update(s.stripe_subscription_id, { cancel_at_period_end: true });
    const r = await this.repo.execute<IndividualState, IndividualEvent>(individualStream(auth.user_id), individualEvolver, (st) =>
      decideDowngrade(st, this.clock.now()),
    );
    const p = isPremiumActive(r.state, this.clock.now());
    return {
      subscription_tier: r.state.subscription_tier,
      premium_valid_until: r.state.premium_valid_until,
      premium_active: p.active,
      cancelled: r.state.premium_cancelled,
    };
  }

  @Public()
  @Post('webhooks/stripe')
  @HttpCode(200)
  async webhook(@Req() req: Request & { rawBody?: Buffer }, @Headers('stripe-signature') signature: string | undefined) {
    const secret = this.config.stripeWebhookSecret;
    if (!secret) throw new DomainError('stripe_not_configured', 404, 'No STRIPE_WEBHOOK_SECRET is configured.');
    let event: Stripe.Event;
    try {
      event = Stripe.webhooks.constructEvent(req.rawBody ?? Buffer.alloc(0), signature ?? '', secret);
    } catch {
      throw badRequest('invalid_signature', 'The Stripe-Signature header does not match the body.');
    }
    const seen = await this.repo.load(`stripe-event-${event.id}`, { initialState: () => false, evolve: () => true });
    if (seen.state) return { received: true, duplicate: true };
    const read = readEvent(event);
    let userId: string | null = null;
    if (read) {
      userId = read.user_id && (await this.player(read.user_id).catch(() => null))?.exists ? read.user_id : null;
      if (!userId && read.customer) {
        const page = await this.reads
          .collection<IndividualContextView>('individual_contexts')
          .find({ where: { stripe_customer_id: read.customer }, limit: 1 });
        userId = page.items[0]?.user_id ?? null;
      }
      if (userId) {
        const uid = userId;
        const r = await this.repo.execute<IndividualState, IndividualEvent>(individualStream(uid), individualEvolver, (s) =>
          decideStripe(s, read.change, this.clock.now()),
        );
        if (r.position) await this.projections.waitFor(r.position);
      } else logger.warn({ stripe_event: event.id, type: event.type }, 'stripe event matches no player');
    }
    try {
      await this.repo.append(
        `stripe-event-${event.id}`,
        [{ type: 'StripeEventProcessed', data: { event_id: event.id, type: event.type, user_id: userId } }],
        'no_stream',
      );
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err; // a concurrent delivery of the same event recorded it first
    }
    return { received: true };
  }

  private async player(userId: string): Promise<IndividualState> {
    const { state } = await this.repo.load<IndividualState, IndividualEvent>(individualStream(userId), individualEvolver);
    if (!state.exists) throw new DomainError('individual_context_not_found', 404, 'You have no individual player profile yet.');
    return state;
  }
}
