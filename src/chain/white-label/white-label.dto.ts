import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { HEX_COLOR, HOST_NAME } from './white-label.decider.js';

/** Host names compare in lower case (DNS is case-insensitive). */
const lower = () => Transform(({ value }) => (typeof value === 'string' ? value.toLowerCase() : value));
const hex = (field: string) => Matches(HEX_COLOR, { message: `colors.${field} must be a hex colour #RGB or #RRGGBB` });
const https = (field: string) =>
  IsUrl({ protocols: ['https'], require_protocol: true, require_tld: true }, { message: `${field} must be an https URL` });

export class WhiteLabelColorsDto {
  @ApiProperty({ example: '#0b5fff' }) @IsString() @hex('primary') primary!: string;
  @ApiProperty({ example: '#ffffff' }) @IsString() @hex('secondary') secondary!: string;
  @ApiProperty({ example: '#ff8800' }) @IsString() @hex('accent') accent!: string;
}

/** PUT /chain/{chain_id}/white-label: the whole branding, replacing the previous one. */
export class WhiteLabelDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(60) app_name!: string;
  @ApiProperty({ type: WhiteLabelColorsDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => WhiteLabelColorsDto)
  colors!: WhiteLabelColorsDto;
  @ApiProperty({ example: 'https://cdn.example.com/logo.svg' }) @IsString() @MaxLength(2000) @https('logo_url') logo_url!: string;
  @ApiPropertyOptional({ example: 'https://cdn.example.com/icon.png', nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @https('icon_url')
  icon_url?: string | null;
  @ApiPropertyOptional({ example: 'boule.example.com', nullable: true, description: 'a host name, unique across chains' })
  @IsOptional()
  @lower()
  @IsString()
  @MaxLength(253)
  @Matches(HOST_NAME, { message: 'custom_domain must be a host name such as boule.example.com (no scheme, port or path)' })
  custom_domain?: string | null;
  @ApiProperty() @IsBoolean({ message: 'hide_petanque_life_branding must be true or false' }) hide_petanque_life_branding!: boolean;
}

export class BrandingQuery {
  @ApiProperty({ example: 'boule.example.com' })
  @lower()
  @IsString({ message: 'domain must be a host name' })
  @MaxLength(253)
  @Matches(HOST_NAME, { message: 'domain must be a host name such as boule.example.com' })
  domain!: string;
}
