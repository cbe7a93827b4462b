import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { AllowWithoutMfa, CurrentAuth } from '../../identity/auth/decorators.js';
import { StepUpService } from '../../identity/auth/step-up.service.js';
import { lastStepUpMethod } from '../../identity/auth/mfa-evidence.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { CommandGateway } from '../../shared/command-gateway.js';
import { uuidParam } from '../../shared/ids.js';
import type { TrustedDeviceView } from '../../../projections/trusted-devices.js';
import { AddTrustedDevice, RemoveTrustedDevice } from './trusted-device.handlers.js';
import { TrustedDevices } from './trusted-devices.service.js';
import { IsDisplayString } from '../../shared/display-string.js';
import { deviceTokenOf, setDeviceCookie } from '../../identity/login/refresh-cookie.js';

export class AddTrustedDeviceDto {
  @ApiPropertyOptional({ maxLength: 100, example: 'Work laptop' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @IsDisplayString()
  name?: string;
  /** Web app ("trust this browser"): the token only as an httpOnly cookie, not in the body. */
  @ApiPropertyOptional() @IsOptional() @IsBoolean() cookie?: boolean;
}

/** Trusted devices (F02.07.07): a device token lets login skip the second factor for 30 days. */
@ApiTags('mfa-trusted-devices')
@ApiBearerAuth()
@Controller('auth/mfa/trusted-devices')
export class TrustedDevicesController {
  constructor(
    private readonly gateway: CommandGateway,
    private readonly devices: TrustedDevices,
    private readonly stepUp: StepUpService,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * A trusted device skips the second factor at login, so it exists only beside a possession
   * factor and is added only with a fresh verification of one. The token is shown once.
   */
  @Post()
  @HttpCode(201)
  async add(@CurrentAuth() auth: AuthContext, @Body() dto: AddTrustedDeviceDto, @Res({ passthrough: true }) res: Response) {
    const possession = await this.stepUp.assertPossessionFactor(auth);
    const r = await this.gateway.run<{ position: number; id: string; token: string; name: string; expires_at: string }>(
      new AddTrustedDevice(auth.user_id, dto.name, lastStepUpMethod(auth.mfa_methods, possession)),
    );
    if (dto.cookie === true) {
      setDeviceCookie(res, r.token, r.expires_at, this.clock.now());
      return { id: r.id, name: r.name, expires_at: r.expires_at };
    }
    return { id: r.id, name: r.name, device_token: r.token, expires_at: r.expires_at };
  }

  @Get()
  @AllowWithoutMfa()
  async list(@CurrentAuth() auth: AuthContext) {
    const now = this.clock.now().toISOString();
    const page = await this.reads.collection<TrustedDeviceView>('trusted_devices').find({
      where: { user_id: auth.user_id, status: 'active', expires_at: { gt: now } },
      sort: [['created_at', 'desc']],
      limit: 200,
    });
    return {
      items: page.items.map(({ id, name, created_at, last_used_at, expires_at, device, location }) => ({
        id,
        name,
        created_at,
        last_used_at,
        expires_at,
        device,
        location,
      })),
    };
  }

  @Get('check')
  @AllowWithoutMfa()
  async check(@CurrentAuth() auth: AuthContext, @Req() req: Request, @Headers('x-device-token') token?: string) {
    const d = await this.devices.find(auth.user_id, deviceTokenOf(req, token));
    return { trusted: d !== null, id: d?.id ?? null, expires_at: d?.expires_at ?? null };
  }

  /** Removing trust is a safety action, reachable like session management. */
  @Delete(':id')
  @HttpCode(204)
  @AllowWithoutMfa()
  async remove(
    @CurrentAuth() auth: AuthContext,
    @Param('id', uuidParam('trusted_device_not_found', 'No such trusted device.')) id: string,
  ) {
    await this.gateway.run(new RemoveTrustedDevice(auth.user_id, id));
  }
}
