import { enc, type Decimal, type LocalizedText, type Page } from './common';
import { request } from './client';

export type WarehouseKind = 'overseas' | 'bonded' | 'port';
export const warehouseKinds: readonly WarehouseKind[] = ['overseas', 'bonded', 'port'];

export type WarehouseRef = { id: string; name: string; kind: WarehouseKind; countryCode: string; city: string };

export type Availability = {
  warehouse: WarehouseRef;
  onHand: Decimal;
  reserved: Decimal;
  available: Decimal;
  unit: string;
};

export type Warehouse = WarehouseRef & {
  organizationId: string;
  location: { lat: Decimal; lon: Decimal };
  createdAt: string;
};

export type WarehouseInput = {
  organizationId: string;
  name: string;
  kind: WarehouseKind;
  countryCode: string;
  city: string;
  location: { lat: string | null; lon: string | null };
};

export type MovementInputKind = 'receipt' | 'shipment' | 'adjustment' | 'transfer';
export const movementInputKinds: readonly MovementInputKind[] = ['receipt', 'shipment', 'adjustment', 'transfer'];

export type MovementInput = {
  kind: MovementInputKind;
  listingId: string | null;
  lot: string;
  quantity: { value: string | null; unit: string };
  toWarehouseId?: string;
  note?: string;
  reason?: string;
  qualityCertificate?: string;
};

export type MovementKind = 'receipt' | 'shipment' | 'adjustment' | 'transferOut' | 'transferIn' | 'reserve' | 'release';

export type Movement = {
  id: string;
  warehouseId: string;
  listingId: string;
  lotId: string;
  lotNumber: string;
  kind: MovementKind;
  onHandDelta: Decimal;
  reservedDelta: Decimal;
  unit: string;
  reason?: string | null;
  note?: string | null;
  reservationId?: string | null;
  counterpartWarehouseId?: string | null;
  at: string;
};

export type StockLot = {
  lotId: string;
  lotNumber: string;
  qualityCertificate?: string | null;
  listingId: string;
  listing: { title: LocalizedText };
  onHand: Decimal;
  reserved: Decimal;
  available: Decimal;
  unit: string;
};

export const warehousesApi = {
  createWarehouse: (input: WarehouseInput) => request<Warehouse>('/api/warehouses', { method: 'POST', body: input }),
  warehouses: (organizationId: string, signal?: AbortSignal) =>
    request<Warehouse[]>('/api/warehouses', { query: { organizationId }, signal }),
  warehouse: (id: string, signal?: AbortSignal) => request<Warehouse>(`/api/warehouses/${enc(id)}`, { signal }),
  warehouseStock: (id: string, signal?: AbortSignal) => request<StockLot[]>(`/api/warehouses/${enc(id)}/stock`, { signal }),
  warehouseMovements: (
    id: string,
    params: { listingId?: string | null; cursor?: string | null; limit?: number },
    signal?: AbortSignal,
  ) =>
    request<Page<Movement>>(`/api/warehouses/${enc(id)}/movements`, {
      query: { listingId: params.listingId, cursor: params.cursor, limit: params.limit },
      signal,
    }),
  /** A transfer answers with its two movements (out and in), the other kinds with one. */
  recordMovement: (id: string, input: MovementInput) =>
    request<Movement | Movement[]>(`/api/warehouses/${enc(id)}/movements`, { method: 'POST', body: input }),
};
