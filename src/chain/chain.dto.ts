import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsInt,
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
import { IsCountry, NewAdminDto } from '../tenant-tier/tier.dto.js';
import { CHAIN_CODE } from './chains/chain.decider.js';

/** POST /admin/tenants/chain: the body of POST /sys/tenants plus the chain code (the type, if sent, must be CHAIN). */
export class CreateChainDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiPropertyOptional({ enum: ['CHAIN'] })
  @IsOptional()
  @IsIn(['CHAIN'], { message: 'tenant_type must be CHAIN here' })
  tenant_type?: 'CHAIN';
  @ApiProperty({ example: 'SE' }) @IsCountry() country!: string;
  @ApiProperty({ example: 'BOULE', description: '3 to 8 capital letters A-Z, unique across chains' })
  @IsString()
  @Matches(CHAIN_CODE, { message: 'chain_code must be 3 to 8 capital letters (A-Z)' })
  chain_code!: string;
  @ApiProperty({ type: NewAdminDto }) @IsDefined() @IsObject() @ValidateNested() @Type(() => NewAdminDto) admin!: NewAdminDto;
}

export class AddVenueDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID(undefined, { message: 'venue_tenant_id must be a UUID' }) venue_tenant_id!: string;
}

export class ListQuery {
  @IsOptional() @IsString() @MaxLength(500) cursor?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
}

export class MembershipsQuery extends ListQuery {
  @IsOptional() @IsIn(['PENDING', 'ACTIVE', 'INACTIVE']) status?: 'PENDING' | 'ACTIVE' | 'INACTIVE';
}
