import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { badRequest } from '../../shared/errors.js';
import { ListQuery } from '../chain.dto.js';
import { MINOR_DIGITS } from '../invoices/money.js';
import { CORPORATE_EVENT_STATUSES, type CorporateEventStatus, type Quote } from './corporate-event.decider.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const CURRENCIES = Object.keys(MINOR_DIGITS);

export class CreateCorporateEventDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) company_name!: string;
  @ApiProperty() @IsEmail(undefined, { message: 'contact_email must be an e-mail address' }) @MaxLength(254) contact_email!: string;
  @ApiProperty({ format: 'uuid' })
  @IsUUID(undefined, { message: 'host_venue_tenant_id must be a UUID' })
  host_venue_tenant_id!: string;
  @ApiProperty({ example: '2026-09-18' })
  @Matches(DATE, { message: 'event_date must be a date YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'event_date must be a date YYYY-MM-DD' })
  event_date!: string;
  @ApiProperty({ minimum: 1, maximum: 10000 })
  @IsInt({ message: 'guests must be an integer 1-10000' })
  @Min(1)
  @Max(10000)
  guests!: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) notes?: string | null;
}

export class TransitionCorporateEventDto {
  @ApiProperty({ enum: CORPORATE_EVENT_STATUSES })
  @IsIn(CORPORATE_EVENT_STATUSES, { message: `status must be one of ${CORPORATE_EVENT_STATUSES.join(', ')}` })
  status!: CorporateEventStatus;
  @ApiPropertyOptional({ description: 'minor units of quote_currency (öre, cents)' })
  @IsOptional()
  @IsInt({ message: 'quote_amount must be an integer amount in minor units, 1 or more' })
  @Min(1)
  @Max(1_000_000_000_000)
  quote_amount?: number;
  @ApiPropertyOptional({ enum: CURRENCIES })
  @IsOptional()
  @IsIn(CURRENCIES, { message: `quote_currency must be one of ${CURRENCIES.join(', ')}` })
  quote_currency?: string;
  @ApiPropertyOptional({ example: '2026-08-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'quote_valid_until must be an ISO 8601 date-time' })
  quote_valid_until?: string;
}

const QUOTE_FIELDS = ['quote_amount', 'quote_currency', 'quote_valid_until'] as const;
const fieldProblem = (msg: string) => badRequest('validation_failed', msg, { errors: [msg] });

/** The quote of a PATCH: all three fields with status QUOTED, none with any other status. */
export function quoteOf(dto: TransitionCorporateEventDto): Quote | null {
  if (dto.status !== 'QUOTED') {
    const extra = QUOTE_FIELDS.find((f) => dto[f] !== undefined);
    if (extra) throw fieldProblem(`${extra} is only sent with status QUOTED`);
    return null;
  }
  const missing = QUOTE_FIELDS.find((f) => dto[f] === undefined || dto[f] === null);
  if (missing) throw fieldProblem(`${missing} is required with status QUOTED`);
  return {
    quote_amount: dto.quote_amount!,
    quote_currency: dto.quote_currency!,
    quote_valid_until: new Date(dto.quote_valid_until!).toISOString(),
  };
}

export class CorporateEventsQuery extends ListQuery {
  @IsOptional()
  @IsIn(CORPORATE_EVENT_STATUSES, { message: `status must be one of ${CORPORATE_EVENT_STATUSES.join(', ')}` })
  status?: CorporateEventStatus;
}
