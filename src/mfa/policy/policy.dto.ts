import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, Matches, Max, Min } from 'class-validator';
import { ALL_MFA_METHODS } from '../../identity/auth/mfa-policy.hook.js';

const ROLE = /^[a-z][a-z0-9_]{1,49}$/;

/** PUT /auth/mfa/policy. class-validator messages start with the field name. */
export class MfaPolicyDto {
  @ApiProperty({ type: [String], example: ['treasurer'] })
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(ROLE, { each: true, message: 'each value in required_roles must be lower_snake_case (2-50 chars)' })
  required_roles!: string[];

  @ApiProperty({ type: [String], enum: ALL_MFA_METHODS, example: ['totp', 'webauthn'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(4)
  @IsIn([...ALL_MFA_METHODS], { each: true })
  allowed_methods!: string[];

  @ApiProperty({ minimum: 0, maximum: 365 }) @IsInt() @Min(0) @Max(365) grace_period_days!: number;
  @ApiProperty({ minimum: 60, maximum: 86400 }) @IsInt() @Min(60) @Max(86400) fresh_window_seconds!: number;
}
