import type { VerificationStatus } from '../api';
import { useT, type MessageKey } from '../i18n';

const keys: Record<VerificationStatus, MessageKey> = {
  unverified: 'status.unverified',
  pending: 'status.pending',
  verified: 'status.verified',
  rejected: 'status.rejected',
};

/** Verification status as a coloured badge; data-status holds the raw value for tests. */
export function StatusBadge({ status, testId }: { status: VerificationStatus | string; testId?: string }) {
  const t = useT();
  const normalized = (status || 'unverified').toLowerCase() as VerificationStatus;
  const key = keys[normalized];
  return (
    <span className={`badge badge-${normalized}`} data-status={normalized} data-testid={testId}>
      {key ? t(key) : status}
    </span>
  );
}
