import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  Matches,
} from 'class-validator';
import { IsDisplayString } from '../../shared/display-string.js';

export class LoginDto {
  @ApiProperty() @IsEmail() @MaxLength(254) email!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(256) password!: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() tenant_id?: string;
  /** Web app: the refresh token comes only as an httpOnly cookie on /auth/refresh (not in the body). */
  @ApiPropertyOptional() @IsOptional() @IsBoolean() refresh_cookie?: boolean;
}

export class RefreshDto {
  /** Without it, the refresh cookie (with the X-CSRF-Token header) is used. */
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(512) refresh_token?: string;
}

export class ChangePasswordDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(256) current_password!: string;
  @ApiProperty() @IsString() @MaxLength(256) new_password!: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() revoke_other_sessions?: boolean;
}

const ROLE = /^[a-z][a-z0-9_]{1,49}$/;

export class AddMemberDto {
  @ApiProperty() @IsEmail() @MaxLength(254) email!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(100) @IsDisplayString() display_name!: string;
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @Matches(ROLE, { each: true, message: 'each role must be lower_snake_case (2-50 chars)' })
  roles!: string[];
  /** Password of a new account; without one a new address gets a set-password link. Ignored for an existing account. */
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(256) password?: string;
  @ApiPropertyOptional({ enum: ['sv', 'en'] }) @IsOptional() @IsIn(['sv', 'en']) language?: 'sv' | 'en';
}

export class ChangeRolesDto {
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @Matches(ROLE, { each: true, message: 'each role must be lower_snake_case (2-50 chars)' })
  roles!: string[];
}
