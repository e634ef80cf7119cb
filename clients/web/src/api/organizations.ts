import { enc } from './common';
import { request } from './client';

export type OrgRole = 'owner' | 'trader' | 'viewer';
export type VerificationStatus = 'unverified' | 'pending' | 'verified' | 'rejected';
export type OrgKind = 'exporter' | 'importer' | 'both';

export type MyOrganization = {
  id: string;
  name: string;
  countryCode?: string;
  kind?: OrgKind;
  role: OrgRole;
  verification: VerificationStatus;
};

export type OrganizationInput = {
  name: string;
  countryCode: string;
  kind: OrgKind;
  registrationNumber: string;
  /** The legal name in Russian and in Chinese, where the company has one (the contract prints them under the English name). */
  legalNameRu?: string | null;
  legalNameZh?: string | null;
};

export type Verification = {
  status: VerificationStatus;
  note?: string | null;
  requestedAt?: string | null;
  decidedAt?: string | null;
};

export type Member = { userId: string; email: string; role: OrgRole };

export type Organization = OrganizationInput & {
  id: string;
  verification: Verification;
  members: Member[];
  createdAt: string;
};

export type AdminOrganizationItem = {
  id: string;
  name: string;
  countryCode: string;
  verification: Verification;
};


export const organizationsApi = {
  createOrganization: (input: OrganizationInput) =>
    request<Organization>('/api/organizations', { method: 'POST', body: input }),
  organization: (id: string, signal?: AbortSignal) =>
    request<Organization>(`/api/organizations/${enc(id)}`, { signal }),
  updateOrganization: (id: string, input: OrganizationInput) =>
    request<Organization>(`/api/organizations/${enc(id)}`, { method: 'PUT', body: input }),
  requestVerification: (id: string, files: File[], note: string) => {
    const form = new FormData();
    for (const f of files) form.append('documents', f, f.name);
    if (note.trim()) form.append('note', note.trim());
    return request<Organization>(`/api/organizations/${enc(id)}/verification`, {
      method: 'POST',
      body: form,
    });
  },
};
