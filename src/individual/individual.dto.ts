import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
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
import { IsCountry } from '../tenant-tier/tier.dto.js';
import { POSITIONS, type Position } from './profile/individual.decider.js';
import { IsDisplayString } from '../shared/display-string.js';

export class SignupDto {
  @ApiProperty() @IsEmail() @MaxLength(254) email!: string;
  @ApiProperty() @IsString() @MaxLength(256) password!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(100) @IsDisplayString() display_name!: string;
  @ApiProperty({ example: 'SE' }) @IsCountry() country!: string;
  @ApiProperty({ enum: ['sv', 'en'] }) @IsIn(['sv', 'en']) language!: 'sv' | 'en';
}

export class SignupVerifyDto {
  @ApiProperty() @IsEmail() @MaxLength(254) email!: string;
  @ApiProperty({ example: '123456' }) @IsString() @Matches(/^\d{6}$/, { message: 'code must be 6 digits' }) code!: string;
}

export class CreateContextDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(100) @IsDisplayString() display_name?: string;
  @ApiProperty({ example: 'SE' }) @IsCountry() country!: string;
  @ApiPropertyOptional({ enum: ['sv', 'en'] }) @IsOptional() @IsIn(['sv', 'en']) language?: 'sv' | 'en';
}

/** Only the editable fields: anything else (subscription_tier, stripe_*) is refused by the whitelist, naming the field. */
export class UpdateProfileDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(100) @IsDisplayString() display_name?: string;
  @ApiPropertyOptional() @IsOptional() @IsCountry() country?: string;
  @ApiPropertyOptional({ enum: ['sv', 'en'] }) @IsOptional() @IsIn(['sv', 'en']) language?: 'sv' | 'en';
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1900) @Max(new Date().getUTCFullYear()) birth_year?: number;
  @ApiPropertyOptional({ enum: POSITIONS })
  @IsOptional()
  @IsIn(POSITIONS as unknown as string[])
  preferred_position?: Position;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) handicap_hint?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() privacy_public_profile?: boolean;
}

export class ScoreDto {
  @ApiProperty() @IsInt() @Min(0) @Max(13) me!: number;
  @ApiProperty() @IsInt() @Min(0) @Max(13) opponent!: number;
}

export class RecordMatchDto {
  @ApiProperty() @IsUUID() opponent_user_id!: string;
  @ApiProperty() @IsISO8601({ strict: true }, { message: 'played_at must be an ISO 8601 date-time' }) played_at!: string;
  @ApiProperty({ type: ScoreDto }) @IsObject() @ValidateNested() @Type(() => ScoreDto) score!: ScoreDto;
}

export class VerifyMatchDto {
  @ApiProperty({ enum: ['confirm', 'dispute'] }) @IsIn(['confirm', 'dispute']) decision!: 'confirm' | 'dispute';
}

export class MatchesQuery {
  @IsOptional() @IsIn(['PENDING', 'CONFIRMED', 'DISPUTED', 'EXPIRED', 'CANCELLED']) status?: string;
  @IsOptional() @IsString() @MaxLength(500) cursor?: string;
}

export class FriendRequestDto {
  @ApiProperty() @IsUUID() user_id!: string;
}

export class FriendsQuery {
  @IsOptional() @IsIn(['PENDING', 'ACCEPTED', 'BLOCKED']) status?: 'PENDING' | 'ACCEPTED' | 'BLOCKED';
  @IsOptional() @IsIn(['incoming', 'outgoing']) direction?: 'incoming' | 'outgoing';
  @IsOptional() @IsString() @MaxLength(500) cursor?: string;
}
