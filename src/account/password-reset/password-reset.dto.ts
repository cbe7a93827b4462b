import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

export class ForgotPasswordDto {
  @ApiProperty() @IsEmail() @MaxLength(254) email!: string;
}

export class ResetTokenDto {
  @ApiProperty({ description: 'The token from the e-mailed link' }) @IsString() @MinLength(1) @MaxLength(200) token!: string;
}

export class ResetMfaDto {
  @ApiProperty({ enum: ['totp', 'sms', 'recovery_code', 'webauthn'] })
  @IsIn(['totp', 'sms', 'recovery_code', 'webauthn'])
  method!: 'totp' | 'sms' | 'recovery_code' | 'webauthn';

  @ApiPropertyOptional({ description: 'totp, sms, recovery_code' })
  @ValidateIf((o: ResetMfaDto) => o.method !== 'webauthn')
  @IsString()
  @Matches(/^[0-9A-Za-z -]{6,24}$/, { message: 'code must be 6-24 letters, digits, spaces or dashes' })
  code?: string;

  @ApiPropertyOptional({ description: 'sms: the challenge id (default: the newest code sent)' })
  @IsOptional()
  @IsUUID()
  challenge_id?: string;

  @ApiPropertyOptional({ description: 'webauthn: the assertion (navigator.credentials.get() as JSON)' })
  @ValidateIf((o: ResetMfaDto) => o.method === 'webauthn')
  @IsObject()
  assertion?: Record<string, unknown>;
}

export class ResetPasswordDto extends ResetTokenDto {
  @ApiProperty() @IsString() @MaxLength(256) new_password!: string;
  // IsObject: @ValidateNested alone lets an array (of arrays) through
  @ApiPropertyOptional({ type: ResetMfaDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => ResetMfaDto) mfa?: ResetMfaDto;
}
