import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { IsDisplayString } from '../shared/display-string.js';
import { POINTS_TIERS, type PointsTier } from './passport-tiers.js';

export class CreatePassportDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID(undefined, { message: 'chain_id must be a UUID' }) chain_id!: string;
  @ApiPropertyOptional({ description: 'Name on the passport and leaderboards; defaults to the account display name' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @IsDisplayString()
  display_name?: string;
}

/** PUT /chain/passports/{id}: the owner sends display_name; a chain admin the override and ban fields. */
export class UpdatePassportDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(100) @IsDisplayString() display_name?: string;
  @ApiPropertyOptional({ enum: POINTS_TIERS, nullable: true, description: 'null clears the override' })
  @ValidateIf((o) => o.tier_override !== undefined && o.tier_override !== null)
  @IsIn(POINTS_TIERS, { message: `tier_override must be one of ${POINTS_TIERS.join(', ')} or null` })
  tier_override?: PointsTier | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(3) @MaxLength(500) @IsDisplayString() tier_override_reason?: string;
  @ApiPropertyOptional({ description: 'ISO time the override ends (optional)' })
  @ValidateIf((o) => o.tier_override_until !== undefined && o.tier_override_until !== null)
  @IsISO8601({ strict: true }, { message: 'tier_override_until must be an ISO 8601 date-time' })
  tier_override_until?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsBoolean({ message: 'banned must be true or false' }) banned?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(3) @MaxLength(500) @IsDisplayString() ban_reason?: string;
}

export class CheckInDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID(undefined, { message: 'venue_id must be a UUID' }) venue_id!: string;
  @ApiProperty({ description: 'the token of GET /chain/passports/{id}/qr' })
  @IsString({ message: 'qr_token must be a string' })
  @MinLength(1)
  @MaxLength(300)
  qr_token!: string;
}

export class AwardPointsDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID(undefined, { message: 'venue_id must be a UUID' }) venue_id!: string;
  @ApiProperty({ minimum: 1, maximum: 1000 })
  @IsInt({ message: 'points must be an integer 1-1000' })
  @Min(1, { message: 'points must be an integer 1-1000' })
  @Max(1000, { message: 'points must be an integer 1-1000' })
  points!: number;
  @ApiProperty() @IsString({ message: 'reason must be a string' }) @MinLength(1) @MaxLength(200) @IsDisplayString() reason!: string;
}

export class PageQuery {
  @IsOptional() @IsString() @MaxLength(500) cursor?: string;
  @IsOptional() @Type(() => Number) @IsInt({ message: 'limit must be an integer 1-50' }) @Min(1) @Max(50) limit?: number;
}

export class ChainQuery {
  @IsUUID(undefined, { message: 'chain_id must be a UUID' }) chain_id!: string;
}

export class SearchQuery extends PageQuery {
  @IsUUID(undefined, { message: 'chain_id must be a UUID' }) chain_id!: string;
  @IsOptional() @IsString() @MinLength(1) @MaxLength(100) @IsDisplayString() q?: string;
}

export const PERIODS = ['month', 'year', 'alltime'] as const;
export class PassportLeaderboardQuery extends PageQuery {
  @IsUUID(undefined, { message: 'chain_id must be a UUID' }) chain_id!: string;
  @IsOptional() @IsUUID(undefined, { message: 'venue_id must be a UUID' }) venue_id?: string;
  @IsOptional() @IsIn(PERIODS, { message: 'period must be month, year or alltime' }) period?: (typeof PERIODS)[number];
}

export class PassportSettingsDto {
  @ApiProperty({ minimum: 1 }) @IsInt({ message: 'gold_points must be an integer' }) @Min(1) @Max(1_000_000_000) gold_points!: number;
  @ApiProperty({ minimum: 2 })
  @IsInt({ message: 'platinum_points must be an integer' })
  @Min(2)
  @Max(1_000_000_000)
  platinum_points!: number;
  @ApiProperty({ minimum: 0, maximum: 1000 })
  @IsInt({ message: 'check_in_points must be an integer 0-1000' })
  @Min(0)
  @Max(1000)
  check_in_points!: number;
}
