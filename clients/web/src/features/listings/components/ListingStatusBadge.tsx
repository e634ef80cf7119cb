import type { ListingStatus } from '../../../api';
import { useT } from '../../../i18n';
import { listingStatusLabel } from '../../../labels';

/** A listing's status as a coloured badge; data-status holds the raw value for tests. */
export function ListingStatusBadge({ status, testId }: { status: ListingStatus | string; testId?: string }) {
  const t = useT();
  const normalized = (status || 'draft').toLowerCase();
  return (
    <span className={`badge badge-listing-${normalized}`} data-status={normalized} data-testid={testId}>
      {listingStatusLabel(normalized, t)}
    </span>
  );
}
