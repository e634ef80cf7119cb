import { useT, type MessageKey } from '../../i18n';
import { usePageTitle } from '../../hooks/usePageTitle';

export function ComingSoonPage({ title, description }: { title: MessageKey; description: MessageKey }) {
  const t = useT();
  usePageTitle(t(title));
  return (
    <div className="page narrow">
      <h1>{t(title)}</h1>
      <div className="panel coming-soon">
        <p className="coming-soon-label" data-testid="coming-soon">
          {t('soon.text')}
        </p>
        <p>{t(description)}</p>
        <p className="muted">{t('soon.detail')}</p>
      </div>
    </div>
  );
}
