// The API of the server, typed per feature. client.ts is the only module that calls fetch; pages call `api.*`.
import { accountsApi } from './accounts';
import { adminApi } from './admin';
import { buyRequestsApi } from './buyRequests';
import { dealsApi } from './deals';
import { paymentsApi } from './payments';
import { listingsApi } from './listings';
import { liveApi } from './live';
import { negotiationsApi } from './negotiations';
import { notificationsApi } from './notifications';
import { overviewApi } from './overview';
import { organizationsApi } from './organizations';
import { searchApi } from './search';
import { warehousesApi } from './warehouses';

export { ApiError, type CodedFieldError, type ProblemDetails } from './client';
export * from './common';
export * from './accounts';
export * from './organizations';
export * from './listings';
export * from './warehouses';
export * from './negotiations';
export * from './deals';
export * from './payments';
export * from './buyRequests';
export * from './search';
export * from './notifications';
export * from './overview';
export * from './live';

export const api = {
  ...accountsApi,
  ...organizationsApi,
  ...adminApi,
  ...listingsApi,
  ...warehousesApi,
  ...negotiationsApi,
  ...dealsApi,
  ...paymentsApi,
  ...buyRequestsApi,
  ...searchApi,
  ...notificationsApi,
  ...overviewApi,
  ...liveApi,
};
