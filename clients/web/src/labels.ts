// Translated names of the API's codes (statuses, units, terms, modes); format.ts writes amounts with them.
import { quantityUnits, type ListingStatus } from './api';
import type { MessageKey, Translate } from './i18n';

const unitKeys: Record<string, MessageKey> = { t: 'unit.t', kg: 'unit.kg', m3: 'unit.m3' };

export const listingStatusKeys: Record<ListingStatus, MessageKey> = {
  draft: 'listing.status.draft',
  published: 'listing.status.published',
  paused: 'listing.status.paused',
  closed: 'listing.status.closed',
  expired: 'listing.status.expired',
};

const modeKeys: Record<string, MessageKey> = {
  sea: 'mode.sea',
  inland_waterway: 'mode.inland_waterway',
  rail: 'mode.rail',
  road: 'mode.road',
  multimodal: 'mode.multimodal',
};

const termKeys: Record<string, MessageKey> = {
  tt_advance: 'term.tt_advance',
  tt_against_documents: 'term.tt_against_documents',
  lc_sight: 'term.lc_sight',
  lc_deferred: 'term.lc_deferred',
  cad: 'term.cad',
  dp: 'term.dp',
};

const packagingKeys: Record<string, MessageKey> = {
  bulk: 'packaging.bulk',
  bags: 'packaging.bags',
  big_bags: 'packaging.big_bags',
  containers: 'packaging.containers',
  flexitank: 'packaging.flexitank',
  bundles: 'packaging.bundles',
  pallets: 'packaging.pallets',
  drums: 'packaging.drums',
};

const warehouseKindKeys: Record<string, MessageKey> = {
  overseas: 'warehouse.kind.overseas',
  bonded: 'warehouse.kind.bonded',
  port: 'warehouse.kind.port',
};

const movementKindKeys: Record<string, MessageKey> = {
  receipt: 'movement.kind.receipt',
  shipment: 'movement.kind.shipment',
  adjustment: 'movement.kind.adjustment',
  transfer: 'movement.kind.transfer',
  transferOut: 'movement.kind.transferOut',
  transferIn: 'movement.kind.transferIn',
  reserve: 'movement.kind.reserve',
  release: 'movement.kind.release',
};

function label(keys: Record<string, MessageKey>, code: string | null | undefined, t: Translate): string {
  if (!code) return '';
  const key = keys[code];
  return key ? t(key) : code;
}

/** The server may spell delivery modes as inland_waterway or inlandWaterway; the client uses the former. */
export function normalizeMode(mode: string | null | undefined): string {
  if (!mode) return '';
  return mode.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

export const unitLabel = (unit: string | null | undefined, t: Translate) => label(unitKeys, unit, t);
export const listingStatusLabel = (s: string | null | undefined, t: Translate) => label(listingStatusKeys, s, t);
export const modeLabel = (m: string | null | undefined, t: Translate) => label(modeKeys, normalizeMode(m), t);
export const termLabel = (code: string | null | undefined, t: Translate) => label(termKeys, code, t);
export const packagingLabel = (p: string | null | undefined, t: Translate) => label(packagingKeys, p, t);
export const warehouseKindLabel = (k: string | null | undefined, t: Translate) => label(warehouseKindKeys, k, t);
export const movementKindLabel = (k: string | null | undefined, t: Translate) => label(movementKindKeys, k, t);

/** The units a commodity counted in `unit` may be quoted in: tonnes and kilograms convert, timber is m3 only. */
export function unitsFor(unit: string | null | undefined): string[] {
  if (unit === 't' || unit === 'kg') return ['t', 'kg'];
  if (unit === 'm3') return ['m3'];
  return [...quantityUnits];
}
