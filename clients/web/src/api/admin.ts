import { enc, type Page } from './common';
import { request } from './client';
import type { AdminOrganizationItem, VerificationStatus } from './organizations';

export const adminApi = {
  adminOrganizations: (status: VerificationStatus, cursor?: string | null, signal?: AbortSignal) =>
    request<Page<AdminOrganizationItem>>('/api/admin/organizations', { query: { status, cursor }, signal }),
  decideVerification: (id: string, decision: 'verified' | 'rejected', note: string) =>
    request<unknown>(`/api/admin/organizations/${enc(id)}/verification`, {
      method: 'POST',
      body: { decision, note },
    }),
};
