import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';

export const CODE = /^\d{6}$/;

export class SmsEnrollDto {
  @ApiProperty({ example: '+46701234567' }) @IsString() @MaxLength(32) phone!: string;
}
export class SmsEnrollConfirmDto {
  @ApiProperty({ example: '123456' }) @IsString() @Matches(CODE, { message: 'code must be 6 digits' }) code!: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() challenge_id?: string;
}
export class OtpVerifyDto {
  @ApiProperty() @IsUUID() challenge_id!: string;
  @ApiProperty({ example: '123456' }) @IsString() @Matches(CODE, { message: 'code must be 6 digits' }) code!: string;
}
