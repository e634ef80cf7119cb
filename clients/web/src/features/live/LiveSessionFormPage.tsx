import { useEffect, useState, type FormEvent } from 'react';
import { api, type LiveSession, type LiveSessionInput, type LocalizedText, type SearchItem } from '../../api';
import { useAuth } from '../../auth';
import { CountrySelect } from '../../components/CountrySelect';
import { Field } from '../../components/Field';
import { FormErrors } from '../../components/FormErrors';
import { StatusBadge } from '../../components/StatusBadge';
import { errorMessages } from '../../errors';
import { formatPrice, fromDateTimeInput, localized, toDateTimeInput } from '../../format';
import { usePageTitle } from '../../hooks/usePageTitle';
import { languageLabel, languages, useI18n, type Language } from '../../i18n';
import { Link, navigate } from '../../router';
import { isAmbassador } from './LiveSessionsPage';

type Picked = { id: string; title: LocalizedText; seller: string };

type Form = {
  title: Record<Language, string>;
  description: Record<Language, string>;
  countryCode: string;
  startsAt: string;
  endsAt: string;
  streamUrl: string;
  replayUrl: string;
  featured: Picked[];
  /** Empty: the server's default cap. */
  viewerCap: string;
};

const emptyTexts = (): Record<Language, string> => ({ en: '', ru: '', zh: '' });

function formOf(session: LiveSession): Form {
  const texts = (l: LocalizedText) => ({ en: l['en'] ?? '', ru: l['ru'] ?? '', zh: l['zh'] ?? '' });
  return {
    title: texts(session.title),
    description: texts(session.description),
    countryCode: session.countryCode,
    startsAt: toDateTimeInput(session.startsAt),
    endsAt: toDateTimeInput(session.endsAt),
    streamUrl: session.streamUrl,
    replayUrl: session.replayUrl ?? '',
    featured: session.featuredListings.map((l) => ({ id: l.id, title: l.title, seller: l.seller.name })),
    viewerCap: String(session.viewerCap),
  };
}

/** Texts with at least one language, empty languages left out (the server keeps what is sent). */
function texts(values: Record<Language, string>): Partial<Record<Language, string>> {
  const out: Partial<Record<Language, string>> = {};
  for (const l of languages) if (values[l].trim()) out[l] = values[l].trim();
  return out;
}

/** An ambassador schedules a session (or, before it starts, edits it). */
export function LiveSessionFormPage({ id }: { id?: string }) {
  const { t, lang } = useI18n();
  const { me } = useAuth();
  const [form, setForm] = useState<Form | null>(() =>
    id
      ? null
      : {
          title: emptyTexts(),
          description: emptyTexts(),
          countryCode: me?.ambassadorCountryCode ?? '',
          startsAt: '',
          endsAt: '',
          streamUrl: '',
          replayUrl: '',
          featured: [],
          viewerCap: '',
        },
  );
  const [errors, setErrors] = useState<string[]>([]);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  usePageTitle(id ? t('live.form.editTitle') : t('live.form.title'));

  useEffect(() => {
    if (!id) return;
    const controller = new AbortController();
    api
      .liveSession(id, controller.signal)
      .then((s) => setForm(formOf(s)))
      .catch((e: unknown) => !controller.signal.aborted && setErrors(errorMessages(e, t)));
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);

  if (!isAmbassador(me?.roles)) {
    return (
      <div className="page">
        <h1>{t('live.form.title')}</h1>
        <p className="notice notice-info">{t('live.form.ambassadorsOnly')}</p>
      </div>
    );
  }
  if (!form) {
    return (
      <div className="page">
        <h1>{t('live.form.editTitle')}</h1>
        {errors.length ? <FormErrors messages={errors} /> : <p className="muted">{t('app.loading')}</p>}
      </div>
    );
  }

  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => (f ? { ...f, [key]: value } : f));
  const labels: Record<string, string> = {
    title: t('live.form.titleField'),
    description: t('live.form.description'),
    countryCode: t('live.form.country'),
    startsAt: t('live.form.startsAt'),
    endsAt: t('live.form.endsAt'),
    streamUrl: t('live.form.streamUrl'),
    replayUrl: t('live.form.replayUrl'),
    featuredListingIds: t('live.form.featured'),
    viewerCap: t('live.form.viewerCap'),
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!form) return;
    const input: LiveSessionInput = {
      title: texts(form.title),
      description: texts(form.description),
      countryCode: form.countryCode,
      startsAt: fromDateTimeInput(form.startsAt),
      endsAt: fromDateTimeInput(form.endsAt),
      streamUrl: form.streamUrl.trim(),
      replayUrl: form.replayUrl.trim() || null,
      featuredListingIds: form.featured.map((f) => f.id),
      viewerCap: form.viewerCap.trim() ? Number(form.viewerCap.trim()) : null,
    };
    setBusy(true);
    setErrors([]);
    setFieldErrors({});
    try {
      const saved = id ? await api.updateLiveSession(id, input) : await api.scheduleLiveSession(input);
      navigate(`/live/${encodeURIComponent(saved.id)}`);
    } catch (err) {
      setErrors(errorMessages(err, t, labels));
      if (err && typeof err === 'object' && 'errors' in err) setFieldErrors((err as { errors: Record<string, string[]> }).errors);
      setBusy(false);
    }
  }

  return (
    <div className="page">
      <p className="breadcrumbs">
        <Link to={id ? `/live/${encodeURIComponent(id)}` : '/live'}>{t('live.back')}</Link>
      </p>
      <h1>{id ? t('live.form.editTitle') : t('live.form.title')}</h1>
      <form className="form panel" onSubmit={submit} noValidate data-testid="live-form">
        <FormErrors messages={errors} />
        {languages.map((l) => (
          <div className="field-row" key={l}>
            <Field
              id={`live-title-${l}`}
              label={
                <>
                  {t('live.form.titleField')} <span className="lang-tag">{languageLabel[l]}</span>
                </>
              }
              path={`title.${l}`}
              errors={fieldErrors}
              data-testid={`live-title-${l}`}
              maxLength={200}
              value={form.title[l]}
              onChange={(e) => set('title', { ...form.title, [l]: e.target.value })}
            />
            <Field
              id={`live-description-${l}`}
              label={
                <>
                  {t('live.form.description')} <span className="lang-tag">{languageLabel[l]}</span>
                </>
              }
              path={`description.${l}`}
              errors={fieldErrors}
            >
              <textarea
                id={`live-description-${l}`}
                data-testid={`live-description-${l}`}
                rows={2}
                maxLength={4000}
                value={form.description[l]}
                onChange={(e) => set('description', { ...form.description, [l]: e.target.value })}
              />
            </Field>
          </div>
        ))}
        <div className="field-row">
          <Field id="live-country" label={t('live.form.country')} path="countryCode" errors={fieldErrors}>
            <CountrySelect id="live-country" data-testid="live-country" value={form.countryCode} onChange={(e) => set('countryCode', e.target.value)} />
          </Field>
          <Field
            id="live-starts"
            label={t('live.form.startsAt')}
            path="startsAt"
            errors={fieldErrors}
            type="datetime-local"
            data-testid="live-starts"
            value={form.startsAt}
            onChange={(e) => set('startsAt', e.target.value)}
          />
          <Field
            id="live-ends"
            label={t('live.form.endsAt')}
            path="endsAt"
            errors={fieldErrors}
            type="datetime-local"
            data-testid="live-ends"
            value={form.endsAt}
            onChange={(e) => set('endsAt', e.target.value)}
          />
        </div>
        <div className="field-row">
          <Field
            id="live-stream"
            label={t('live.form.streamUrl')}
            hint={t('live.form.streamUrlHint')}
            path="streamUrl"
            errors={fieldErrors}
            type="url"
            data-testid="live-stream"
            value={form.streamUrl}
            onChange={(e) => set('streamUrl', e.target.value)}
          />
          <Field
            id="live-replay"
            label={t('live.form.replayUrl')}
            path="replayUrl"
            errors={fieldErrors}
            type="url"
            data-testid="live-replay"
            value={form.replayUrl}
            onChange={(e) => set('replayUrl', e.target.value)}
          />
        </div>
        <div className="field-row">
          <Field
            id="live-viewer-cap"
            label={t('live.form.viewerCap')}
            hint={t('live.form.viewerCapHint')}
            path="viewerCap"
            errors={fieldErrors}
            type="number"
            min={1}
            step={1}
            inputMode="numeric"
            data-testid="live-viewer-cap"
            value={form.viewerCap}
            onChange={(e) => set('viewerCap', e.target.value)}
          />
        </div>
        <FeaturedPicker
          country={form.countryCode}
          picked={form.featured}
          onChange={(featured) => set('featured', featured)}
          errors={Object.entries(fieldErrors)
            .filter(([k]) => k.startsWith('featuredListingIds'))
            .flatMap(([k, v]) => {
              const index = /\[(\d+)\]/.exec(k)?.[1];
              const which = index !== undefined ? form.featured[Number(index)] : undefined;
              return v.map((m) => (which ? `${localized(which.title, lang) || which.id}: ${m}` : m));
            })}
        />
        <div className="form-actions">
          <button type="submit" className="button button-primary" data-testid="live-save" disabled={busy}>
            {id ? t('live.form.save') : t('live.form.schedule')}
          </button>
        </div>
      </form>
    </div>
  );
}

/** Featured listings: found by a search among the country's listings, or added by the listing's address or id. */
function FeaturedPicker({
  country,
  picked,
  onChange,
  errors,
}: {
  country: string;
  picked: Picked[];
  onChange: (picked: Picked[]) => void;
  errors: string[];
}) {
  const { t, lang, locale } = useI18n();
  const [q, setQ] = useState('');
  const [found, setFound] = useState<SearchItem[] | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [byId, setById] = useState('');

  async function search() {
    setProblems([]);
    const params = new URLSearchParams();
    if (q.trim()) params.set('q', q.trim());
    if (country) params.set('origin', country);
    params.set('limit', '20');
    try {
      setFound((await api.searchListings(params)).items);
    } catch (e) {
      setProblems(errorMessages(e, t));
    }
  }

  async function addById() {
    setProblems([]);
    const match = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.exec(byId);
    if (!match) {
      setProblems([t('live.form.featuredIdInvalid')]);
      return;
    }
    try {
      const l = await api.listing(match[0]);
      add({ id: l.id, title: l.title, seller: l.seller.name });
      setById('');
    } catch (e) {
      setProblems(errorMessages(e, t));
    }
  }

  const add = (p: Picked) => {
    if (!picked.some((x) => x.id === p.id)) onChange([...picked, p]);
  };

  return (
    <fieldset className="fieldset" data-testid="featured-picker">
      <legend>{t('live.form.featured')}</legend>
      <p className="hint">{t('live.form.featuredHint')}</p>
      <FormErrors messages={[...errors, ...problems]} />
      <ol className="plain-list" data-testid="featured-picked">
        {picked.map((p) => (
          <li key={p.id} className="toolbar-group" data-testid="featured-picked-row" data-listing-id={p.id}>
            <span>
              <strong>{localized(p.title, lang)}</strong> <span className="muted small">{p.seller}</span>
            </span>
            <button type="button" className="button button-small button-ghost" onClick={() => onChange(picked.filter((x) => x.id !== p.id))}>
              {t('live.form.remove')}
            </button>
          </li>
        ))}
        {picked.length === 0 && <li className="muted">{t('live.form.featuredNone')}</li>}
      </ol>
      <div className="toolbar-group">
        <label htmlFor="featured-search" className="visually-hidden">
          {t('live.form.featuredSearch')}
        </label>
        <input
          id="featured-search"
          data-testid="featured-search"
          value={q}
          placeholder={t('live.form.featuredSearch')}
          onChange={(e) => setQ(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              void search();
            }
          }}
        />
        <button type="button" className="button button-small" data-testid="featured-search-go" onClick={() => void search()}>
          {t('live.form.featuredFind')}
        </button>
        <label htmlFor="featured-id" className="visually-hidden">
          {t('live.form.featuredById')}
        </label>
        <input id="featured-id" data-testid="featured-id" value={byId} placeholder={t('live.form.featuredById')} onChange={(e) => setById(e.target.value)} />
        <button type="button" className="button button-small" data-testid="featured-id-add" onClick={() => void addById()}>
          {t('live.form.add')}
        </button>
      </div>
      {found && (
        <ul className="plain-list" data-testid="featured-results">
          {found.map((item) => (
            <li key={item.id} className="toolbar-group" data-testid="featured-result" data-listing-id={item.id}>
              <span>
                <strong>{localized(item.title, lang)}</strong>{' '}
                <span className="muted small">
                  {item.seller.name} · {formatPrice(item.price, locale, t)}
                </span>{' '}
                {item.seller.verified && <StatusBadge status="verified" />}
              </span>
              <button
                type="button"
                className="button button-small"
                data-testid="featured-add"
                disabled={picked.some((p) => p.id === item.id)}
                onClick={() => add({ id: item.id, title: item.title, seller: item.seller.name })}
              >
                {t('live.form.add')}
              </button>
            </li>
          ))}
          {found.length === 0 && <li className="muted">{t('live.form.featuredNoResults')}</li>}
        </ul>
      )}
    </fieldset>
  );
}
