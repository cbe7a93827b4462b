import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import {
  customDomainStream,
  decideConfigure,
  decideReleaseDomain,
  decideReserveDomain,
  domainReservationEvolver,
  whiteLabelEvolver,
  whiteLabelStream,
  type DomainReservation,
  type DomainReservationEvent,
  type WhiteLabel,
  type WhiteLabelEvent,
  type WhiteLabelState,
} from './white-label.decider.js';

export class ConfigureWhiteLabel {
  constructor(
    readonly chainId: string,
    readonly config: WhiteLabel,
    readonly by: string,
  ) {}
}

/**
 * PUT /chain/{id}/white-label: claims the custom domain on its reservation stream first (409
 * custom_domain_taken when another chain holds it), then records the configuration, then frees
 * the domain the chain used before. A crash between the steps leaves at most a domain reserved
 * by the chain that asked for it, which its next PUT uses or frees.
 */
@CommandHandler(ConfigureWhiteLabel)
export class ConfigureWhiteLabelHandler implements ICommandHandler<ConfigureWhiteLabel, { position: number; config: WhiteLabel }> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(cmd: ConfigureWhiteLabel) {
    const host = cmd.config.custom_domain;
    let position = 0;
    if (host) position = await this.onDomain(host, (s) => decideReserveDomain(s, host, cmd.chainId));
    const r = await this.repo.execute<WhiteLabelState, WhiteLabelEvent>(whiteLabelStream(cmd.chainId), whiteLabelEvolver, (s) =>
      decideConfigure(s, { chain_id: cmd.chainId, config: cmd.config, by: cmd.by, now: this.clock.now() }),
    );
    position = Math.max(position, r.position);
    // the previous domain is in the event itself, so a retried decide still frees the one it replaced
    const previous = r.appended ? (r.events[0]!.data as unknown as WhiteLabelEvent['data']).previous_custom_domain : null;
    if (previous && previous !== host)
      position = Math.max(position, await this.onDomain(previous, (s) => decideReleaseDomain(s, previous, cmd.chainId)));
    return { position, config: r.state.config! };
  }

  private async onDomain(host: string, decide: (s: DomainReservation) => DomainReservationEvent[]): Promise<number> {
    const r = await this.repo.execute<DomainReservation, DomainReservationEvent>(
      customDomainStream(host),
      domainReservationEvolver,
      decide,
      {
        retryOnConflict: true,
      },
    );
    return r.position;
  }
}
