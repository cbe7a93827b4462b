import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsDefined,
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
  registerDecorator,
  type ValidationOptions,
} from 'class-validator';
import { TENANT_TYPES, type TenantType } from '../identity/tenants/tenant.decider.js';
import { SYS_ROLE_NAMES } from '../identity/users/user.decider.js';
import { SUBSYSTEM_ID } from './tier-matrix.js';
import { IsDisplayString } from '../shared/display-string.js';

const regions = new Intl.DisplayNames(['en'], { type: 'region' });
// codes ICU names that are not countries (unions, macro-regions, private use)
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'UN', 'QO', 'XA', 'XB', 'ZZ']);
export const isCountryCode = (v: unknown): boolean =>
  typeof v === 'string' && /^[A-Z]{2}$/.test(v) && !NOT_COUNTRIES.has(v) && regions.of(v) !== v && regions.of(v) !== 'Unknown Region';

/** ISO 3166-1 alpha-2, upper case (e.g. SE). */
export function IsCountry(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isCountry',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must be an ISO 3166-1 alpha-2 country code such as SE`, ...options },
      validator: { validate: isCountryCode },
    });
}

const REASON = { message: 'reason must be 3 to 500 characters' };

export class GrantAddonDto {
  @ApiProperty({ example: 'F02.09' })
  @IsString()
  @Matches(SUBSYSTEM_ID, { message: 'subsystem_id must look like F02.09 (F<NN>.<MM>)' })
  subsystem_id!: string;
  @ApiPropertyOptional({ nullable: true, description: 'null or absent = permanent; must be in the future' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'expires_at must be an ISO 8601 date-time' })
  expires_at?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) billing_reference?: string | null;
  @ApiProperty() @IsString() @Length(3, 500, REASON) reason!: string;
}

export class RevokeAddonDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(3, 500, REASON) reason?: string;
}

export class ChangeTenantTypeDto {
  @ApiProperty({ enum: TENANT_TYPES }) @IsIn(TENANT_TYPES as unknown as string[]) tenant_type!: TenantType;
  @ApiProperty() @IsString() @Length(3, 500, REASON) reason!: string;
}

export class NewAdminDto {
  @ApiProperty() @IsEmail() @MaxLength(254) email!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(100) @IsDisplayString() display_name!: string;
  @ApiPropertyOptional({ description: 'absent: a new admin gets an e-mailed set-password link' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  password?: string;
  @ApiPropertyOptional({ enum: ['sv', 'en'] }) @IsOptional() @IsIn(['sv', 'en']) language?: 'sv' | 'en';
}

export class CreateTenantDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiProperty({ enum: TENANT_TYPES }) @IsIn(TENANT_TYPES as unknown as string[]) tenant_type!: TenantType;
  @ApiProperty({ example: 'SE' }) @IsCountry() country!: string;
  // ValidateNested alone lets a missing admin (and an empty array) through: they must be an object
  @ApiProperty({ type: NewAdminDto }) @IsDefined() @IsObject() @ValidateNested() @Type(() => NewAdminDto) admin!: NewAdminDto;
}

export class TenantsQuery {
  @IsOptional() @IsIn(TENANT_TYPES as unknown as string[]) type?: TenantType;
  @IsOptional() @IsString() @MaxLength(100) q?: string;
  @IsOptional() @IsString() @MaxLength(500) cursor?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
}

export class AuditQuery {
  @IsOptional() @IsUUID() tenant_id?: string;
  @IsOptional() @IsString() @Matches(/^[a-z_]{1,64}$/) type?: string;
  @IsOptional() @IsString() @MaxLength(500) cursor?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
}

export class SetSysRolesDto {
  @ApiProperty({ type: [String], enum: SYS_ROLE_NAMES })
  @IsArray()
  @ArrayMaxSize(3)
  @ArrayUnique()
  @IsIn(SYS_ROLE_NAMES as unknown as string[], { each: true, message: `each of sys_roles must be one of ${SYS_ROLE_NAMES.join(', ')}` })
  sys_roles!: string[];
}
