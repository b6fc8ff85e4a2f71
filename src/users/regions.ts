import { Type } from 'typebox';
import type { Region } from '../db/schema.js';

/** The 17 Korean provinces and metropolitan cities (시/도), as the contract names them. */
export const REGIONS = [
  'seoul',
  'busan',
  'daegu',
  'incheon',
  'gwangju',
  'daejeon',
  'ulsan',
  'sejong',
  'gyeonggi',
  'gangwon',
  'chungbuk',
  'chungnam',
  'jeonbuk',
  'jeonnam',
  'gyeongbuk',
  'gyeongnam',
  'jeju',
] as const satisfies readonly Region[];

const DESCRIPTION = `One of the 17 시/도: ${REGIONS.join(', ')}`;

/** A region code (a string enum: one validator keyword, and a plain enum in the OpenAPI document). */
export const RegionSchema = Type.Unsafe<Region>({ type: 'string', enum: [...REGIONS], description: DESCRIPTION });

/** A region code or null. */
export const NullableRegionSchema = (description = `${DESCRIPTION}; null: unknown`) =>
  Type.Unsafe<Region | null>({ type: ['string', 'null'], enum: [...REGIONS, null], description });

/** Youngest and oldest age a preference may name (the Youth Protection Act's 19, and 100). */
export const AGE_PREF_MIN = 19;
export const AGE_PREF_MAX = 100;
