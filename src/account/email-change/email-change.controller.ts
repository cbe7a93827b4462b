import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsEmail, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { CurrentAuth } from '../../identity/auth/decorators.js';
import { CommandGateway } from '../../shared/command-gateway.js';
import { ConfirmEmailChange, RequestEmailChange } from './email-change.handlers.js';

export class RequestEmailChangeDto {
  @ApiProperty() @IsEmail() @MaxLength(254) new_email!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(256) password!: string;
}
export class ConfirmEmailChangeDto {
  @ApiProperty() @IsString() @Matches(/^\d{6}$/, { message: 'code must be 6 digits' }) code!: string;
}

@ApiTags('account')
@ApiBearerAuth()
@Controller('me/email')
export class EmailChangeController {
  constructor(private readonly gateway: CommandGateway) {}

  @Post()
  @HttpCode(202)
  async request(@CurrentAuth() auth: AuthContext, @Body() dto: RequestEmailChangeDto) {
    const r = await this.gateway.run<{ position: number; expires_in: number }>(new RequestEmailChange(auth, dto.new_email, dto.password));
    return { pending: true, expires_in: r.expires_in };
  }

  @Post('confirm')
  @HttpCode(200)
  async confirm(@CurrentAuth() auth: AuthContext, @Body() dto: ConfirmEmailChangeDto) {
    const r = await this.gateway.run<{ position: number; email: string }>(new ConfirmEmailChange(auth, dto.code));
    return { email: r.email };
  }
}
