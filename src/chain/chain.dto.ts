import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsISO8601,
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsCountry, NewAdminDto } from '../tenant-tier/tier.dto.js';
import { CHAIN_CODE } from './chains/chain.decider.js';

/** POST /admin/tenants/chain: the body of POST /sys/tenants plus the chain code (the type, if sent, must be CHAIN). */
export class CreateChainDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiPropertyOptional({ enum: ['CHAIN'] })
  @IsOptional()
  @IsIn(['CHAIN'], { message: 'tenant_type must be CHAIN here' })
  tenant_type?: 'CHAIN';
  @ApiProperty({ example: 'SE' }) @IsCountry() country!: string;
  @ApiProperty({ example: 'BOULE', description: '3 to 8 capital letters A-Z, unique across chains' })
  @IsString()
  @Matches(CHAIN_CODE, { message: 'chain_code must be 3 to 8 capital letters (A-Z)' })
  chain_code!: string;
  @ApiProperty({ type: NewAdminDto }) @IsDefined() @IsObject() @ValidateNested() @Type(() => NewAdminDto) admin!: NewAdminDto;
}

export class AddVenueDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID(undefined, { message: 'venue_tenant_id must be a UUID' }) venue_tenant_id!: string;
}

export class ListQuery {
  @IsOptional() @IsString() @MaxLength(500) cursor?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
}

export class MembershipsQuery extends ListQuery {
  @IsOptional() @IsIn(['PENDING', 'ACTIVE', 'INACTIVE']) status?: 'PENDING' | 'ACTIVE' | 'INACTIVE';
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class CreateLeagueDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiProperty({ type: [String], format: 'uuid' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsUUID(undefined, { each: true, message: 'each of venue_ids must be a UUID' })
  venue_ids!: string[];
  @ApiProperty({ example: '2026-04-01' })
  @Matches(DATE, { message: 'season_start must be a date YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'season_start must be a date YYYY-MM-DD' })
  season_start!: string;
  @ApiProperty({ example: '2026-09-30' })
  @Matches(DATE, { message: 'season_end must be a date YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'season_end must be a date YYYY-MM-DD' })
  season_end!: string;
}

export class LeagueResultDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID(undefined, { message: 'venue_id must be a UUID' }) venue_id!: string;
  @ApiProperty({ format: 'uuid' }) @IsUUID(undefined, { message: 'player_user_id must be a UUID' }) player_user_id!: string;
  @ApiProperty() @IsISO8601({ strict: true }, { message: 'played_at must be an ISO 8601 date-time' }) played_at!: string;
  @ApiProperty() @IsBoolean({ message: 'won must be true or false' }) won!: boolean;
  @ApiProperty({ minimum: 0, maximum: 13 }) @IsInt({ message: 'points_for must be an integer 0-13' }) @Min(0) @Max(13) points_for!: number;
  @ApiProperty({ minimum: 0, maximum: 13 })
  @IsInt({ message: 'points_against must be an integer 0-13' })
  @Min(0)
  @Max(13)
  points_against!: number;
}

export class LeaderboardQuery extends ListQuery {
  @IsOptional() @IsUUID(undefined, { message: 'venue_id must be a UUID' }) venue_id?: string;
}
