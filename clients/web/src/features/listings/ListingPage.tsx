import { useEffect, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import {
  ApiError,
  api,
  type Availability,
  type Category,
  type Listing,
  type ListingAction,
  type ListingFile,
  type PriceChange,
  type SpecField,
} from '../../api';
import { useAuth } from '../../auth';
import { Icon } from '../../components/Icon';
import { FormErrors } from '../../components/FormErrors';
import { ListingStatusBadge } from './components/ListingStatusBadge';
import { countryName } from '../../countries';
import { errorMessages } from '../../errors';
import { decimalText, formatAmountUnit, formatDate, formatDateTime, formatDecimalFixed, formatFileSize, formatPrice, formatQuantity, localized } from '../../format';
import { useI18n, type MessageKey, type Translate, useStableT } from '../../i18n';
import { modeLabel, packagingLabel, termLabel, unitLabel, warehouseKindLabel } from '../../labels';
import { canTrade } from '../../hooks/organizationSelection';
import { ListingMatchesPanel } from '../buy-requests';
import { NegotiateButton } from '../negotiations';
import { Link } from '../../router';
import { findCategory, useCategories } from '../../taxonomy';
import { usePageTitle } from '../../hooks/usePageTitle';
import { Field } from '../../components/Field';

const photoTypes = new Set(['image/jpeg', 'image/png']);
const documentTypes = new Set(['application/pdf', 'image/jpeg', 'image/png']);
const photoExt = /\.(jpe?g|png)$/i;
const documentExt = /\.(pdf|jpe?g|png)$/i;
const maxPhotoBytes = 5 * 1024 * 1024;
const maxDocumentBytes = 10 * 1024 * 1024;

const actionDone: Record<ListingAction, MessageKey> = {
  publish: 'listing.done.publish',
  pause: 'listing.done.pause',
  close: 'listing.done.close',
};

/** One listing: terms, specs, prices, files, price history and stock; status changes and uploads for its seller. */
export function ListingPage({ id }: { id: string }) {
  const { t, lang, locale } = useI18n();
  const stableT = useStableT();
  const { me } = useAuth();
  const { categories } = useCategories();
  const [listing, setListing] = useState<Listing | null>(null);
  const [loadErrors, setLoadErrors] = useState<string[]>([]);
  const [notFound, setNotFound] = useState(false);
  const [history, setHistory] = useState<PriceChange[] | null>(null);
  const [availability, setAvailability] = useState<Availability[] | null>(null);
  const [actionErrors, setActionErrors] = useState<string[]>([]);
  const [notice, setNotice] = useState<MessageKey | null>(null);
  const [busy, setBusy] = useState(false);

  const title = listing ? localized(listing.title, lang) || t('listings.untitled') : t('listing.pageTitle');
  usePageTitle(title);

  useEffect(() => {
    const controller = new AbortController();
    const signal = controller.signal;
    setListing(null);
    setLoadErrors([]);
    setNotFound(false);
    setHistory(null);
    setAvailability(null);
    setActionErrors([]);
    setNotice(null);
    api
      .listing(id, signal)
      .then(setListing)
      .catch((err: unknown) => {
        if (signal.aborted) return;
        if (err instanceof ApiError && err.status === 404) setNotFound(true);
        else setLoadErrors([stableT('listing.loadFailed'), ...errorMessages(err, stableT)]);
      });
    api
      .priceHistory(id, signal)
      .then((h) => setHistory(h ?? []))
      .catch(() => !signal.aborted && setHistory([]));
    api
      .availability(id, signal)
      .then((a) => setAvailability(a ?? []))
      .catch(() => !signal.aborted && setAvailability([]));
    return () => controller.abort();
    // t is left out on purpose: changing the language must not reload the listing.
  }, [id, stableT]);

  async function change(action: ListingAction) {
    if (!listing) return;
    setBusy(true);
    setActionErrors([]);
    setNotice(null);
    try {
      const updated = await api.changeListingStatus(listing.id, action);
      if (updated?.id) setListing(updated);
      setNotice(actionDone[action]);
    } catch (err) {
      setActionErrors(errorMessages(err, t));
    } finally {
      setBusy(false);
    }
  }

  if (notFound) {
    return (
      <div className="page narrow">
        <h1>{t('listing.pageTitle')}</h1>
        <p className="notice notice-error" data-testid="listing-not-found">
          {t('listing.notFound')}
        </p>
        <p>
          <Link to="/listings">{t('listing.back')}</Link>
        </p>
      </div>
    );
  }
  if (!listing) {
    return (
      <div className="page">
        <h1>{t('listing.pageTitle')}</h1>
        {loadErrors.length ? <FormErrors messages={loadErrors} /> : <p className="muted">{t('app.loading')}</p>}
      </div>
    );
  }

  const seller = canTrade(me, listing.organizationId);
  const member = !!me?.organizations?.some((o) => o.id === listing.organizationId);
  const category: Category | undefined = categories ? findCategory(categories, listing.category?.id) : undefined;
  const schema: SpecField[] = category?.specSchema ?? [];
  const photos = (listing.files ?? []).filter((f) => f.kind === 'photo');
  const documents = (listing.files ?? []).filter((f) => f.kind !== 'photo');
  const status = listing.status;
  const description = localized(listing.description, lang);
  const normalized = listing.normalizedPrice;

  return (
    <div className="page">
      {member && (
        <p className="breadcrumbs">
          <Link to={`/listings?org=${encodeURIComponent(listing.organizationId)}`}>{t('listing.back')}</Link>
        </p>
      )}
      <div className="page-header">
        <p className="eyebrow">
          {localized(listing.category?.name, lang)}
          {listing.hsCode && <> · HS {listing.hsCode}</>}
        </p>
        <div className="title-row">
          <h1 data-testid="listing-title">{title}</h1>
          {listing.headline && localized(listing.headline, lang) !== title && (
            <p className="muted" data-testid="listing-headline">{localized(listing.headline, lang)}</p>
          )}
          <ListingStatusBadge status={status} testId="listing-status" />
        </div>
      </div>

      {!member && status === 'published' && <NegotiateButton listingId={listing.id} sellerId={listing.organizationId} panel />}
      {me === null && status === 'published' && (
        <div className="panel signin-call" data-testid="listing-signin-call">
          <h2>{t('listing.signInToNegotiate')}</h2>
          <p>{t('listing.signInToNegotiateText')}</p>
          <p className="muted">{t('listing.contactSeller', { seller: listing.seller?.name ?? '' })}</p>
          <div className="actions">
            <Link to={`/signin?next=${encodeURIComponent(`/listings/${listing.id}`)}`} className="button button-primary" data-testid="listing-signin">
              {t('listing.signInToNegotiate')}
            </Link>
            <Link to="/signup" className="button">
              {t('home.cta.signUp')}
            </Link>
            <Link to={`/companies/${encodeURIComponent(listing.organizationId)}`} className="button button-ghost" data-testid="listing-seller-profile-cta">
              <Icon name="building" /> {t('profile.link')}
            </Link>
          </div>
        </div>
      )}

      {seller && (
        <div className="panel toolbar-panel" data-testid="listing-actions">
          <div className="toolbar-group">
            {status !== 'closed' && (
              <Link
                to={`/listings/${encodeURIComponent(listing.id)}/edit`}
                className="button"
                data-testid="listing-edit"
              >
                {t('listing.edit')}
              </Link>
            )}
            {(status === 'draft' || status === 'paused' || status === 'expired') && (
              <button
                type="button"
                className="button button-primary"
                data-testid="listing-publish"
                onClick={() => change('publish')}
                disabled={busy}
              >
                {t('listing.publish')}
              </button>
            )}
            {status === 'published' && (
              <button
                type="button"
                className="button"
                data-testid="listing-pause"
                onClick={() => change('pause')}
                disabled={busy}
              >
                {t('listing.pause')}
              </button>
            )}
            {status !== 'closed' && (
              <button
                type="button"
                className="button button-danger"
                data-testid="listing-close"
                onClick={() => change('close')}
                disabled={busy}
              >
                {t('listing.close')}
              </button>
            )}
          </div>
          {status === 'closed' && <p className="muted">{t('listing.closedHint')}</p>}
        </div>
      )}
      {notice && (
        <p className="notice notice-success" role="status" data-testid="listing-notice">
          {t(notice)}
        </p>
      )}
      <FormErrors messages={actionErrors} />

      <div className="grid-2">
        <section className="panel">
          <h2>{t('listing.offer')}</h2>
          <div className="price-block">
            <div className="price-main" data-testid="listing-price-value">
              {formatPrice(listing.price, locale, t)}
            </div>
            {normalized && (
              <div className="muted" data-testid="listing-normalized">
                ≈ {formatDecimalFixed(normalized.usd.amount, 2, locale)} {normalized.usd.currency}/
                {unitLabel(normalized.usd.unit, t)} · {formatDecimalFixed(normalized.cny.amount, 2, locale)}{' '}
                {normalized.cny.currency}/{unitLabel(normalized.cny.unit, t)}
              </div>
            )}
          </div>
          <dl className="details">
            <dt>{t('listing.quantity')}</dt>
            <dd data-testid="listing-quantity-value">{formatQuantity(listing.quantity, locale, t)}</dd>
            <dt>{t('listing.minOrder')}</dt>
            <dd data-testid="listing-minorder-value">{formatQuantity(listing.minOrder, locale, t)}</dd>
            <dt>{t('listing.origin')}</dt>
            <dd>
              {countryName(listing.originCountry, locale)}
              {listing.originRegion && <>, {listing.originRegion}</>}
            </dd>
            <dt>{t('listing.seller')}</dt>
            <dd data-testid="listing-seller">
              <Link to={`/companies/${encodeURIComponent(listing.organizationId)}`} className="strong" data-testid="listing-seller-link">
                {listing.seller?.name}
              </Link>
              {listing.seller?.countryCode && (
                <span className="muted"> ({countryName(listing.seller.countryCode, locale)})</span>
              )}{' '}
              {listing.seller?.verified && (
                <span className="badge badge-verified" data-testid="listing-verified" data-status="verified">
                  {t('status.verified')}
                </span>
              )}
            </dd>
            <dt>{t('listing.category')}</dt>
            <dd data-testid="listing-category-value">
              {localized(listing.category?.name, lang)} <span className="muted mono">HS {listing.hsCode}</span>
            </dd>
          </dl>
        </section>

        <section className="panel">
          <h2>{t('listing.terms')}</h2>
          <dl className="details" data-testid="listing-terms">
            <dt>{t('listing.incoterm')}</dt>
            <dd data-testid="listing-incoterm-value">
              <span className="mono strong">{listing.incoterm}</span> {listing.namedPlace}
            </dd>
            <dt>{t('listing.mode')}</dt>
            <dd>{modeLabel(listing.deliveryMode, t)}</dd>
            <dt>{t('listing.paymentTerms')}</dt>
            <dd>{(listing.paymentTerms ?? []).map((c) => termLabel(c, t)).join(', ')}</dd>
            <dt>{t('listing.packaging')}</dt>
            <dd>{listing.packaging ? packagingLabel(listing.packaging, t) : t('packaging.none')}</dd>
            <dt>{t('listing.leadTime')}</dt>
            <dd>{t('listing.leadTimeDays', { n: listing.leadTimeDays ?? 0 })}</dd>
            <dt>{t('listing.certificates')}</dt>
            <dd>{listing.certificates?.length ? listing.certificates.join(', ') : '—'}</dd>
            <dt>{t('listing.validUntil')}</dt>
            <dd data-testid="listing-valid-until-value">{formatDate(listing.validUntil, locale)}</dd>
            {listing.publishedAt && (
              <>
                <dt>{t('listing.publishedAt')}</dt>
                <dd>{formatDateTime(listing.publishedAt, locale)}</dd>
              </>
            )}
            <dt>{t('listing.updatedAt')}</dt>
            <dd>{formatDateTime(listing.updatedAt, locale)}</dd>
          </dl>
        </section>
      </div>

      {description && (
        <section className="panel">
          <h2>{t('listing.description')}</h2>
          <p className="prewrap" data-testid="listing-description">
            {description}
          </p>
        </section>
      )}

      <section className="panel">
        <h2>{t('listing.specs')}</h2>
        <SpecsTable listing={listing} schema={schema} lang={lang} t={t} />
      </section>

      <section className="panel">
        <h2>{t('listing.files')}</h2>
        <h3>{t('listing.photos')}</h3>
        {photos.length ? (
          <ul className="gallery" data-testid="listing-photos">
            {photos.map((f) => (
              <li key={f.id} className="gallery-item" data-testid="listing-photo">
                <a href={api.listingFileUrl(listing.id, f.id)} target="_blank" rel="noreferrer">
                  <img src={api.listingFileUrl(listing.id, f.id)} alt={f.fileName} loading="lazy" />
                </a>
                {seller && <DeleteFile listing={listing} file={f} onDeleted={setListing} />}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t('listing.noPhotos')}</p>
        )}
        <h3>{t('listing.documents')}</h3>
        {documents.length ? (
          <ul className="file-rows" data-testid="listing-documents">
            {documents.map((f) => (
              <li key={f.id} data-testid="listing-document">
                <a href={api.listingFileUrl(listing.id, f.id)} target="_blank" rel="noreferrer" className="file-name">
                  {f.fileName}
                </a>{' '}
                <span className="muted">
                  {formatFileSize(f.size, locale)} · {formatDate(f.uploadedAt, locale)}
                </span>
                {seller && <DeleteFile listing={listing} file={f} onDeleted={setListing} />}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t('listing.noDocuments')}</p>
        )}
        {seller && status !== 'closed' && <UploadFiles listing={listing} onUploaded={setListing} />}
      </section>

      <div className="grid-2">
        <section className="panel">
          <h2>{t('listing.priceHistory')}</h2>
          {history === null ? (
            <p className="muted">{t('app.loading')}</p>
          ) : history.length ? (
            <table className="table" data-testid="listing-price-history">
              <thead>
                <tr>
                  <th>{t('listing.priceHistory.date')}</th>
                  <th className="num">{t('listing.priceHistory.price')}</th>
                </tr>
              </thead>
              <tbody>
                {[...history].reverse().map((h, i) => (
                  <tr key={`${h.changedAt}-${i}`} data-testid="price-history-row">
                    <td data-label={t('listing.priceHistory.date')}>{formatDateTime(h.changedAt, locale)}</td>
                    <td data-label={t('listing.priceHistory.price')} className="num">
                      {formatPrice(h, locale, t)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">{t('listing.priceHistory.empty')}</p>
          )}
        </section>

        {/* The matching buy requests are the seller's own view (owner-only endpoint): nobody else asks for them. */}
        {member && <ListingMatchesPanel listingId={id} />}

        <section className="panel">
          <h2>{t('listing.availability')}</h2>
          {availability === null ? (
            <p className="muted">{t('app.loading')}</p>
          ) : (
            <table className="table" data-testid="listing-availability">
              <thead>
                <tr>
                  <th>{t('listing.availability.warehouse')}</th>
                  <th className="num">{t('stock.onHand')}</th>
                  <th className="num">{t('stock.reserved')}</th>
                  <th className="num">{t('stock.available')}</th>
                </tr>
              </thead>
              <tbody>
                {availability.map((a) => (
                  <tr key={a.warehouse.id} data-testid="availability-row" data-warehouse-id={a.warehouse.id}>
                    <td data-label={t('listing.availability.warehouse')}>
                      {member ? (
                        <Link to={`/warehouses/${encodeURIComponent(a.warehouse.id)}`} className="strong">
                          {a.warehouse.name}
                        </Link>
                      ) : (
                        <span className="strong">{a.warehouse.name}</span>
                      )}
                      <div className="muted small">
                        {warehouseKindLabel(a.warehouse.kind, t)} · {a.warehouse.city},{' '}
                        {countryName(a.warehouse.countryCode, locale)}
                      </div>
                    </td>
                    <td data-label={t('stock.onHand')} className="num">
                      {formatAmountUnit(a.onHand, a.unit, locale, t)}
                    </td>
                    <td data-label={t('stock.reserved')} className="num">
                      {formatAmountUnit(a.reserved, a.unit, locale, t)}
                    </td>
                    <td data-label={t('stock.available')} className="num strong">
                      {formatAmountUnit(a.available, a.unit, locale, t)}
                    </td>
                  </tr>
                ))}
                {availability.length === 0 && (
                  <tr>
                    <td colSpan={4} className="muted">
                      {t('listing.availability.empty')}
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          )}
        </section>
      </div>
    </div>
  );
}

function SpecsTable({ listing, schema, lang, t }: { listing: Listing; schema: SpecField[]; lang: string; t: Translate }) {
  const specs = listing.specs ?? {};
  const known = schema.filter((s) => specs[s.key] !== undefined && specs[s.key] !== null);
  const extra = Object.keys(specs).filter((k) => !schema.some((s) => s.key === k));
  const rows = [
    ...known.map((s) => ({ key: s.key, label: localized(s.label, lang) || s.key, unit: s.unit ?? '' })),
    ...extra.map((k) => ({ key: k, label: k, unit: '' })),
  ];
  return (
    <table className="table specs-table" data-testid="listing-specs">
      <thead>
        <tr>
          <th>{t('listing.spec.param')}</th>
          <th>{t('listing.spec.value')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => {
          const v = specs[r.key];
          const text = typeof v === 'boolean' ? String(v) : decimalText(v);
          return (
            <tr key={r.key} data-testid="spec-row" data-spec-key={r.key}>
              <td data-label={t('listing.spec.param')}>{r.label}</td>
              <td data-label={t('listing.spec.value')} className="strong">
                {text}
                {r.unit && ` ${r.unit}`}
              </td>
            </tr>
          );
        })}
        {rows.length === 0 && (
          <tr>
            <td colSpan={2} className="muted">
              {t('listing.specsEmpty')}
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}


function checkFiles(files: readonly File[], kind: 'photo' | 'document', t: Translate): string[] {
  const types = kind === 'photo' ? photoTypes : documentTypes;
  const ext = kind === 'photo' ? photoExt : documentExt;
  const max = kind === 'photo' ? maxPhotoBytes : maxDocumentBytes;
  const problems: string[] = [];
  for (const f of files) {
    const typeOk = f.type ? types.has(f.type.toLowerCase()) : ext.test(f.name);
    if (!typeOk)
      problems.push(t(kind === 'photo' ? 'upload.error.photoType' : 'upload.error.documentType', { name: f.name }));
    else if (f.size === 0) problems.push(t('verify.error.empty', { name: f.name }));
    else if (f.size > max) problems.push(t('upload.error.size', { name: f.name, mb: max / (1024 * 1024) }));
  }
  return problems;
}

function UploadFiles({ listing, onUploaded }: { listing: Listing; onUploaded: (l: Listing) => void }) {
  const { t } = useI18n();
  const [kind, setKind] = useState<'photo' | 'document'>('photo');
  const [files, setFiles] = useState<File[]>([]);
  const [errors, setErrors] = useState<string[]>([]);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  function pick(e: ChangeEvent<HTMLInputElement>) {
    const picked = Array.from(e.target.files ?? []);
    setFiles(picked);
    setDone(false);
    setErrors(checkFiles(picked, kind, t));
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const problems = files.length === 0 ? [t('upload.noFiles')] : checkFiles(files, kind, t);
    setErrors(problems);
    setDone(false);
    if (problems.length) return;
    setBusy(true);
    try {
      const updated = await api.uploadListingFiles(listing.id, kind, files);
      setFiles([]);
      if (input.current) input.current.value = '';
      if (updated?.id) onUploaded(updated);
      setDone(true);
    } catch (err) {
      setErrors(errorMessages(err, t, { files: t('upload.files'), kind: t('upload.kind') }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="form upload-form" onSubmit={submit} noValidate data-testid="listing-upload">
      <h3>{t('upload.title')}</h3>
      <FormErrors messages={errors} />
      {done && (
        <p className="notice notice-success" role="status" data-testid="listing-upload-done">
          {t('upload.done')}
        </p>
      )}
      <div className="field-row">
        <Field id="listing-files-kind" label={t('upload.kind')}>
          <select
            id="listing-files-kind"
            data-testid="listing-files-kind"
            value={kind}
            onChange={(e) => {
              const next = e.target.value as 'photo' | 'document';
              setKind(next);
              setErrors(files.length ? checkFiles(files, next, t) : []);
            }}
          >
            <option value="photo">{t('upload.kind.photo')}</option>
            <option value="document">{t('upload.kind.document')}</option>
          </select>
        </Field>
        <Field
          id="listing-files-input"
          label={t('upload.files')}
          hint={kind === 'photo' ? t('upload.hint.photo') : t('upload.hint.document')}
          ref={input}
          data-testid="listing-files-input"
          type="file"
          multiple
          accept={
            kind === 'photo'
              ? '.jpg,.jpeg,.png,image/jpeg,image/png'
              : '.pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png'
          }
          onChange={pick}
        />
      </div>
      <div className="form-actions">
        <button type="submit" className="button" data-testid="listing-files-submit" disabled={busy}>
          {busy ? t('auth.working') : t('upload.submit')}
        </button>
      </div>
    </form>
  );
}

function DeleteFile({ listing, file, onDeleted }: { listing: Listing; file: ListingFile; onDeleted: (l: Listing) => void }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function remove() {
    if (!window.confirm(t('upload.confirmDelete', { name: file.fileName }))) return;
    setBusy(true);
    setError(null);
    try {
      await api.deleteListingFile(listing.id, file.id);
      onDeleted({ ...listing, files: listing.files.filter((f) => f.id !== file.id) });
    } catch (err) {
      setError(errorMessages(err, t).join(' '));
      setBusy(false);
    }
  }
  return (
    <>
      {' '}
      <button
        type="button"
        className="button button-small button-ghost"
        data-testid="listing-file-delete"
        onClick={remove}
        disabled={busy}
      >
        {t('upload.delete')}
      </button>
      {error && <span className="field-error">{error}</span>}
    </>
  );
}
