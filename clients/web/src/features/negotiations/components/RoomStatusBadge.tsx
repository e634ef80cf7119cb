import type { Room } from '../../../api';
import { useI18n } from '../../../i18n';

export function RoomStatusBadge({ status }: { status: Room['status'] }) {
  const { t } = useI18n();
  return (
    <span className={`badge badge-room-${status}`} data-testid="room-status" data-status={status}>
      {t(status === 'agreed' ? 'negotiation.status.agreed' : 'negotiation.status.open')}
    </span>
  );
}
