import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsCountry } from '../tenant-tier/tier.dto.js';
import { POSITIONS, type Position } from './profile/individual.decider.js';

export class SignupDto {
  @ApiProperty() @IsEmail() @MaxLength(254) email!: string;
  @ApiProperty() @IsString() @MaxLength(256) password!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(100) display_name!: string;
  @ApiProperty({ example: 'SE' }) @IsCountry() country!: string;
  @ApiProperty({ enum: ['sv', 'en'] }) @IsIn(['sv', 'en']) language!: 'sv' | 'en';
}

export class SignupVerifyDto {
  @ApiProperty() @IsEmail() @MaxLength(254) email!: string;
  @ApiProperty({ example: '123456' }) @IsString() @Matches(/^\d{6}$/, { message: 'code must be 6 digits' }) code!: string;
}

export class CreateContextDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(100) display_name?: string;
  @ApiProperty({ example: 'SE' }) @IsCountry() country!: string;
  @ApiPropertyOptional({ enum: ['sv', 'en'] }) @IsOptional() @IsIn(['sv', 'en']) language?: 'sv' | 'en';
}

/** Only the editable fields: anything else (subscription_tier, stripe_*) is refused by the whitelist, naming the field. */
export class UpdateProfileDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(100) display_name?: string;
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
