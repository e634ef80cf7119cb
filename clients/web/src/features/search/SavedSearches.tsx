import { useEffect, useState } from 'react';
import { api, type SavedSearch } from '../../api';
import { FormErrors } from '../../components/FormErrors';
import { errorMessages } from '../../errors';
import { useI18n } from '../../i18n';
import { Link } from '../../router';
import { savedQueryOf, searchLinkOf } from './searchText';

/** Save the current search for the organization (alerts when a new listing matches) and list its saved searches. */
export function SavedSearches({ organizationId, params }: { organizationId: string; params: URLSearchParams }) {
  const { t } = useI18n();
  const [saved, setSaved] = useState<SavedSearch[]>([]);
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    api.savedSearches(organizationId, controller.signal).then((page) => setSaved(page.items), () => setSaved([]));
    return () => controller.abort();
  }, [organizationId]);

  async function save() {
    setBusy(true);
    setErrors([]);
    try {
      const created = await api.saveSearch({ organizationId, name: params.get('q') ?? t('search.saved'), query: savedQueryOf(params) });
      setSaved((list) => [created, ...list]);
    } catch (e) {
      setErrors(errorMessages(e, t));
    } finally {
      setBusy(false);
    }
  }

  async function remove(id: string) {
    try {
      await api.deleteSavedSearch(id);
      setSaved((list) => list.filter((s) => s.id !== id));
    } catch (e) {
      setErrors(errorMessages(e, t));
    }
  }

  return (
    <div className="panel" data-testid="saved-searches">
      <button type="button" className="button" data-testid="save-search" onClick={save} disabled={busy}>
        {t('search.save')}
      </button>{' '}
      <span className="muted">{t('search.saveHint')}</span>
      <FormErrors messages={errors} />
      {saved.length > 0 && (
        <ul>
          {saved.map((s) => (
            <li key={s.id} data-testid="saved-search">
              <Link to={searchLinkOf(s.query)}>{s.name}</Link>{' '}
              <button type="button" className="link-button" onClick={() => void remove(s.id)}>
                {t('search.deleteSaved')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
