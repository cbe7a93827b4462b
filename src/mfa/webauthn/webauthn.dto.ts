import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsObject, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { IsDisplayString } from '../../shared/display-string.js';

export class RegisterVerifyDto {
  @ApiProperty({
    description: 'RegistrationResponseJSON from navigator.credentials.create (e.g. @simplewebauthn/browser startRegistration)',
  })
  @IsObject()
  response!: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'A name for this passkey (max 64 characters)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @IsDisplayString()
  name?: string;
}

export class AuthenticateVerifyDto {
  @ApiProperty({ description: 'AuthenticationResponseJSON from navigator.credentials.get' }) @IsObject() response!: Record<string, unknown>;
}

export class PasskeyLoginVerifyDto {
  @ApiProperty({ description: 'The attempt_id returned by POST /auth/passkey/login/options' }) @IsUUID() attempt_id!: string;
  @ApiProperty({ description: 'AuthenticationResponseJSON of a discoverable credential' }) @IsObject() response!: Record<string, unknown>;
  /** Web app: the refresh token comes only as an httpOnly cookie (like POST /auth/login). */
  @ApiPropertyOptional() @IsOptional() @IsBoolean() refresh_cookie?: boolean;
}

export class RenameCredentialDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(64) @IsDisplayString() name!: string;
}
