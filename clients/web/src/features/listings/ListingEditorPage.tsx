import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import {
  api,
  currencies,
  deliveryModes,
  incoterms,
  packagings,
  paymentTermCodes,
  seaOnlyIncoterms,
  type Category,
  type Listing,
  type ListingInput,
  type SpecField,
} from '../../api';
import { useAuth } from '../../auth';
import { AmountField } from '../../components/AmountField';
import { FieldError, invalidProps } from '../../components/FieldError';
import { FormErrors } from '../../components/FormErrors';
import { NoOrganization, OrganizationPicker } from '../../components/OrganizationPicker';
import { CountrySelect } from '../../components/CountrySelect';
import { errorMessages, fieldMessages } from '../../errors';
import {
  checkDecimalInput,
  decimalText,
  fromDateInput,
  localized,
  normalizeDecimalInput,
  toDateInput,
} from '../../format';
import { languageLabel, useI18n, type Language, type Translate, useStableT } from '../../i18n';
import { modeLabel, normalizeMode, packagingLabel, termLabel, unitLabel, unitsFor } from '../../labels';
import { canTrade, useOrganizationSelection } from '../../hooks/organizationSelection';
import { Link, navigate } from '../../router';
import { findCategory, leavesOf, useCategories } from '../../taxonomy';
import { usePageTitle } from '../../hooks/usePageTitle';
import { Field } from '../../components/Field';
import { CodeSelect } from '../../components/CodeSelect';

const textLanguages: readonly Language[] = ['en', 'ru', 'zh'];
type Texts = Record<Language, string>;
const emptyTexts: Texts = { en: '', ru: '', zh: '' };

type FormState = {
  categoryId: string;
  title: Texts;
  description: Texts;
  hsCode: string;
  specs: Record<string, string>;
  originCountry: string;
  originRegion: string;
  quantity: string;
  quantityUnit: string;
  minOrder: string;
  minOrderUnit: string;
  price: string;
  currency: string;
  priceUnit: string;
  incoterm: string;
  namedPlace: string;
  deliveryMode: string;
  paymentTerms: string[];
  packaging: string;
  leadTimeDays: string;
  certificates: string;
  validUntil: string;
};

type FieldErrors = Record<string, string[]>;

function inDays(days: number): string {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return toDateInput(d.toISOString());
}

function emptyForm(): FormState {
  return {
    categoryId: '',
    title: { ...emptyTexts },
    description: { ...emptyTexts },
    hsCode: '',
    specs: {},
    originCountry: '',
    originRegion: '',
    quantity: '',
    quantityUnit: 't',
    minOrder: '',
    minOrderUnit: 't',
    price: '',
    currency: 'USD',
    priceUnit: 't',
    incoterm: 'FCA',
    namedPlace: '',
    deliveryMode: 'rail',
    paymentTerms: [],
    packaging: '',
    leadTimeDays: '',
    certificates: '',
    validUntil: inDays(30),
  };
}

function textsOf(text: Listing['title']): Texts {
  return { en: text?.en ?? '', ru: text?.ru ?? '', zh: text?.zh ?? '' };
}

function formOf(l: Listing): FormState {
  const specs: Record<string, string> = {};
  for (const [k, v] of Object.entries(l.specs ?? {})) {
    if (v !== null && v !== undefined) specs[k] = typeof v === 'boolean' ? String(v) : decimalText(v);
  }
  return {
    categoryId: l.category?.id ?? '',
    title: textsOf(l.title),
    description: textsOf(l.description),
    hsCode: l.hsCode ?? '',
    specs,
    originCountry: l.originCountry ?? '',
    originRegion: l.originRegion ?? '',
    quantity: decimalText(l.quantity?.value),
    quantityUnit: l.quantity?.unit ?? 't',
    minOrder: decimalText(l.minOrder?.value),
    minOrderUnit: l.minOrder?.unit ?? l.quantity?.unit ?? 't',
    price: decimalText(l.price?.amount),
    currency: l.price?.currency ?? 'USD',
    priceUnit: l.price?.unit ?? 't',
    incoterm: l.incoterm ?? '',
    namedPlace: l.namedPlace ?? '',
    deliveryMode: normalizeMode(l.deliveryMode),
    paymentTerms: [...(l.paymentTerms ?? [])],
    packaging: l.packaging ?? '',
    leadTimeDays: l.leadTimeDays === null || l.leadTimeDays === undefined ? '' : String(l.leadTimeDays),
    certificates: (l.certificates ?? []).join(', '),
    validUntil: toDateInput(l.validUntil),
  };
}

/** Creates (`/listings/new`) or edits (`/listings/{id}/edit`) a listing; saving opens the listing's page. */
export function ListingEditorPage({ id }: { id?: string }) {
  const { t } = useI18n();
  const stableT = useStableT();
  const selection = useOrganizationSelection();
  const [listing, setListing] = useState<Listing | null>(null);
  const [loadErrors, setLoadErrors] = useState<string[]>([]);
  const title = id ? t('editor.editTitle') : t('editor.newTitle');
  usePageTitle(title);

  useEffect(() => {
    if (!id) return;
    const controller = new AbortController();
    setListing(null);
    setLoadErrors([]);
    api
      .listing(id, controller.signal)
      .then(setListing)
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        setLoadErrors([stableT('listing.loadFailed'), ...errorMessages(err, stableT)]);
      });
    return () => controller.abort();
    // t is left out on purpose: changing the language must not reload the listing.
  }, [id, stableT]);

  if (!id && selection.organizations.length === 0) {
    return (
      <div className="page">
        <h1>{title}</h1>
        <NoOrganization />
      </div>
    );
  }
  if (id && !listing) {
    return (
      <div className="page">
        <h1>{title}</h1>
        {loadErrors.length ? <FormErrors messages={loadErrors} /> : <p className="muted">{t('app.loading')}</p>}
      </div>
    );
  }
  const organizationId = listing?.organizationId ?? selection.selectedId ?? '';
  return (
    <div className="page">
      <div className="page-toolbar">
        <div className="page-header">
          <p className="eyebrow">
            {listing ? listing.seller?.name : selection.selected?.name}
          </p>
          <h1>{title}</h1>
        </div>
        {!listing && <OrganizationPicker selection={selection} />}
      </div>
      <ListingForm key={listing?.id ?? 'new'} listing={listing} organizationId={organizationId} />
    </div>
  );
}

function ListingForm({ listing, organizationId }: { listing: Listing | null; organizationId: string }) {
  const { t, lang } = useI18n();
  const { me } = useAuth();
  const { categories, error: categoriesError } = useCategories();
  const [form, setForm] = useState<FormState>(() => (listing ? formOf(listing) : emptyForm()));
  const [descLang, setDescLang] = useState<Language>(lang);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [messages, setMessages] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  // After a failed save, bring the summary of errors into view (the form is long).
  useEffect(() => {
    if (messages.length === 0) return;
    formRef.current?.querySelector('.form-errors')?.scrollIntoView({ block: 'start' });
  }, [messages]);
  const leaves = useMemo(() => (categories ? leavesOf(categories) : []), [categories]);
  const category: Category | undefined = categories ? findCategory(categories, form.categoryId) : undefined;
  const schema: SpecField[] = category?.specSchema ?? [];
  const units = unitsFor(category?.unit);
  const mayTrade = canTrade(me, organizationId);

  // Leaves grouped by their path in the tree, for <optgroup>s.
  const groups = useMemo(() => {
    const out: { label: string; items: Category[] }[] = [];
    for (const { leaf, path } of leaves) {
      const label = path.map((p) => localized(p.name, lang)).join(' › ');
      const last = out[out.length - 1];
      if (last && last.label === label) last.items.push(leaf);
      else out.push({ label, items: [leaf] });
    }
    return out;
  }, [leaves, lang]);

  function set<K extends keyof FormState>(key: K, value: FormState[K]) {
    setForm((f) => ({ ...f, [key]: value }));
  }

  function chooseCategory(id: string) {
    const next = categories ? findCategory(categories, id) : undefined;
    setForm((f) => {
      const allowed = unitsFor(next?.unit);
      const keys = new Set((next?.specSchema ?? []).map((s) => s.key));
      const specs = Object.fromEntries(Object.entries(f.specs).filter(([k]) => keys.has(k)));
      const fit = (u: string) => (allowed.includes(u) ? u : (next?.unit ?? allowed[0] ?? 't'));
      return {
        ...f,
        categoryId: id,
        specs,
        hsCode: next?.hsCode && f.hsCode && !f.hsCode.startsWith(next.hsCode) ? '' : f.hsCode,
        quantityUnit: fit(f.quantityUnit),
        minOrderUnit: fit(f.minOrderUnit),
        priceUnit: fit(f.priceUnit),
      };
    });
  }

  // Labels of the API's field paths, for the summary list.
  const labels: Record<string, string> = {
    organizationId: t('org.select'),
    categoryId: t('editor.category'),
    title: t('editor.title'),
    description: t('editor.description'),
    hsCode: t('editor.hsCode'),
    originCountry: t('editor.origin'),
    originRegion: t('editor.region'),
    quantity: t('editor.quantity'),
    'quantity.value': t('editor.quantity'),
    'quantity.unit': `${t('editor.quantity')} (${t('editor.unit')})`,
    minOrder: t('editor.minOrder'),
    'minOrder.value': t('editor.minOrder'),
    'minOrder.unit': `${t('editor.minOrder')} (${t('editor.unit')})`,
    price: t('editor.price'),
    'price.amount': t('editor.price'),
    'price.currency': t('editor.currency'),
    'price.unit': `${t('editor.price')} (${t('editor.unit')})`,
    incoterm: t('editor.incoterm'),
    namedPlace: t('editor.place'),
    deliveryMode: t('editor.mode'),
    paymentTerms: t('editor.paymentTerms'),
    packaging: t('editor.packaging'),
    leadTimeDays: t('editor.leadTime'),
    certificates: t('editor.certificates'),
    validUntil: t('editor.validUntil'),
  };
  for (const l of textLanguages) {
    labels[`title.${l}`] = `${t('editor.title')} (${languageLabel[l]})`;
    labels[`description.${l}`] = `${t('editor.description')} (${languageLabel[l]})`;
  }
  for (const s of schema) labels[`specs.${s.key}`] = localized(s.label, lang) || s.key;

  function buildInput(): { input: ListingInput; problems: FieldErrors } {
    const problems: FieldErrors = {};
    const add = (path: string, message: string) => (problems[path] = [...(problems[path] ?? []), message]);
    const decimal = (path: string, raw: string, maxDecimals: number): string | null => {
      const text = normalizeDecimalInput(raw);
      if (!text) return null;
      const bad = checkDecimalInput(text, maxDecimals);
      if (bad === 'number') add(path, t('editor.error.number'));
      else if (bad === 'decimals') add(path, t('editor.error.decimals', { n: maxDecimals }));
      return text;
    };

    if (!form.categoryId) add('categoryId', t('editor.error.category'));

    const specs: Record<string, string> = {};
    for (const field of schema) {
      const raw = (form.specs[field.key] ?? '').trim();
      if (!raw) continue;
      if (field.type === 'number') {
        const text = normalizeDecimalInput(raw);
        if (checkDecimalInput(text, 6, { allowNegative: true })) add(`specs.${field.key}`, t('editor.error.number'));
        specs[field.key] = text;
      } else {
        specs[field.key] = raw;
      }
    }

    const pick = (texts: Texts) => {
      const out: Partial<Record<Language, string>> = {};
      for (const l of textLanguages) if (texts[l].trim()) out[l] = texts[l].trim();
      return out;
    };

    let leadTimeDays: number | null = null;
    if (form.leadTimeDays.trim()) {
      if (/^\d{1,3}$/.test(form.leadTimeDays.trim())) leadTimeDays = parseInt(form.leadTimeDays.trim(), 10);
      else add('leadTimeDays', t('editor.error.days'));
    }

    const input: ListingInput = {
      organizationId,
      categoryId: form.categoryId,
      title: pick(form.title),
      description: pick(form.description),
      specs,
      originCountry: form.originCountry,
      originRegion: form.originRegion.trim() || null,
      quantity: { value: decimal('quantity.value', form.quantity, 3), unit: form.quantityUnit },
      minOrder: { value: decimal('minOrder.value', form.minOrder, 3), unit: form.minOrderUnit },
      price: { amount: decimal('price.amount', form.price, 4), currency: form.currency, unit: form.priceUnit },
      incoterm: form.incoterm,
      namedPlace: form.namedPlace.trim(),
      deliveryMode: form.deliveryMode,
      paymentTerms: paymentTermCodes.filter((c) => form.paymentTerms.includes(c)),
      packaging: form.packaging || null,
      leadTimeDays,
      certificates: form.certificates
        .split(/[,;\n]/)
        .map((c) => c.trim())
        .filter(Boolean),
      validUntil: fromDateInput(form.validUntil),
    };
    const hs = form.hsCode.replace(/[\s.]/g, '');
    if (hs) input.hsCode = hs;
    return { input, problems };
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const { input, problems } = buildInput();
    if (Object.keys(problems).length) {
      setFieldErrors(problems);
      setMessages(summary(problems, labels));
      return;
    }
    setBusy(true);
    setFieldErrors({});
    setMessages([]);
    try {
      const saved = listing ? await api.updateListing(listing.id, input) : await api.createListing(input);
      const targetId = saved?.id ?? listing?.id;
      navigate(targetId ? `/listings/${encodeURIComponent(targetId)}` : '/listings');
    } catch (err) {
      setFieldErrors(fieldMessages(err, t));
      setMessages(errorMessages(err, t, labels));
      setBusy(false);
    }
  }

  const seaOnlyMismatch =
    seaOnlyIncoterms.includes(form.incoterm) && !!form.deliveryMode && !['sea', 'inland_waterway'].includes(form.deliveryMode);
  const err = fieldErrors;
  const titleErrors = err['title'];

  return (
    <form ref={formRef} className="form listing-form" onSubmit={submit} noValidate>
      {!mayTrade && <p className="notice notice-info">{t('editor.readOnly')}</p>}
      <FormErrors messages={messages} />
      <FieldError path="organizationId" errors={err} />

      <section className="panel">
        <h2>{t('editor.section.commodity')}</h2>
        {categoriesError ? <FormErrors messages={[t('editor.categoriesFailed'), ...errorMessages(categoriesError, t)]} /> : null}
        <Field
          id="listing-category"
          label={t('editor.category')}
          path="categoryId"
          errors={err}
          hint={
            category && (
              <span data-testid="listing-category-info">
                {t('editor.categoryInfo', { code: category.hsCode ?? '', unit: unitLabel(category.unit, t) })}
              </span>
            )
          }
        >
          <select
            id="listing-category"
            data-testid="listing-category"
            value={form.categoryId}
            onChange={(e) => chooseCategory(e.target.value)}
            disabled={!categories}
            required
          >
            <option value="">{categories ? t('editor.categoryPlaceholder') : t('app.loading')}</option>
            {form.categoryId && categories && !category && <option value={form.categoryId}>{form.categoryId}</option>}
            {groups.map((g) => (
              <optgroup key={g.label} label={g.label}>
                {g.items.map((c) => (
                  <option key={c.id} value={c.id} data-key={c.key}>
                    {localized(c.name, lang)} — HS {c.hsCode}, {unitLabel(c.unit, t)}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </Field>
        <div className="field-row">
          <Field
            id="listing-hscode"
            label={t('editor.hsCode')}
            path="hsCode"
            errors={err}
            hint={t('editor.hsCodeHint', { code: category?.hsCode ?? '—' })}
            data-testid="listing-hscode"
            inputMode="numeric"
            value={form.hsCode}
            placeholder={category?.hsCode ?? ''}
            onChange={(e) => set('hsCode', e.target.value)}
            maxLength={12}
          />
        </div>
      </section>

      <section className="panel">
        <h2>{t('editor.section.texts')}</h2>
        <p className="hint">{t('editor.textsHint')}</p>
        <div className="field-row field-row-3">
          {textLanguages.map((l) => (
            <Field
              key={l}
              id={`listing-title-${l}`}
              label={
                <>
                  {t('editor.title')} <span className="lang-tag">{languageLabel[l]}</span>
                </>
              }
              path={`title.${l}`}
              invalid={!!err[`title.${l}`]?.length || !!err['title']?.length}
              errors={err}
              data-testid={`listing-title-${l}`}
              lang={l === 'zh' ? 'zh-CN' : l}
              value={form.title[l]}
              maxLength={200}
              onChange={(e) => set('title', { ...form.title, [l]: e.target.value })}
            />
          ))}
        </div>
        {titleErrors && <FieldError path="title" errors={err} />}
        <div className="field">
          <div className="tabs" role="tablist" aria-label={t('editor.description')}>
            {textLanguages.map((l) => (
              <button
                key={l}
                type="button"
                role="tab"
                id={`listing-desc-tab-${l}`}
                data-testid={`listing-desc-tab-${l}`}
                aria-selected={descLang === l}
                aria-controls="listing-desc-panel"
                className="tab"
                onClick={() => setDescLang(l)}
              >
                {languageLabel[l]}
                {(form.title[l].trim() || form.description[l].trim()) && <span className="tab-dot" aria-hidden="true" />}
              </button>
            ))}
          </div>
          <div className="tab-panel" role="tabpanel" id="listing-desc-panel" aria-labelledby={`listing-desc-tab-${descLang}`}>
            <label htmlFor={`listing-description-${descLang}`}>
              {t('editor.description')} <span className="lang-tag">{languageLabel[descLang]}</span>
            </label>
            <textarea
              key={descLang}
              id={`listing-description-${descLang}`}
              data-testid={`listing-description-${descLang}`}
              lang={descLang === 'zh' ? 'zh-CN' : descLang}
              rows={5}
              maxLength={5000}
              value={form.description[descLang]}
              onChange={(e) => set('description', { ...form.description, [descLang]: e.target.value })}
              {...invalidProps(`description.${descLang}`, err)}
            />
            {textLanguages.map((l) => (
              <FieldError key={l} path={`description.${l}`} errors={err} />
            ))}
            <FieldError path="description" errors={err} />
          </div>
        </div>
      </section>

      <section className="panel">
        <h2>{t('editor.section.specs')}</h2>
        {!category && <p className="muted">{t('editor.specsNone')}</p>}
        {category && schema.length === 0 && <p className="muted">{t('editor.specsEmpty')}</p>}
        {schema.length > 0 && (
          <div className="field-row field-row-3" data-testid="listing-spec-fields">
            {schema.map((field) => (
              <SpecInput
                key={field.key}
                field={field}
                value={form.specs[field.key] ?? ''}
                onChange={(v) => set('specs', { ...form.specs, [field.key]: v })}
                errors={err}
                lang={lang}
                t={t}
              />
            ))}
          </div>
        )}
        <FieldError path="specs" errors={err} />
        {Object.keys(err)
          .filter((k) => k.startsWith('specs.') && !schema.some((s) => `specs.${s.key}` === k))
          .map((k) => (
            <FieldError key={k} path={k} errors={err} />
          ))}
      </section>

      <section className="panel">
        <h2>{t('editor.section.origin')}</h2>
        <div className="field-row">
          <Field id="listing-origin" label={t('editor.origin')} path="originCountry" errors={err}>
            <CountrySelect
              id="listing-origin"
              data-testid="listing-origin"
              value={form.originCountry}
              onChange={(e) => set('originCountry', e.target.value)}
              required />
          </Field>
          <Field
            id="listing-region"
            label={t('editor.region')}
            path="originRegion"
            errors={err}
            data-testid="listing-region"
            value={form.originRegion}
            maxLength={100}
            placeholder={t('editor.regionPlaceholder')}
            onChange={(e) => set('originRegion', e.target.value)}
          />
        </div>
      </section>

      <section className="panel">
        <h2>{t('editor.section.volume')}</h2>
        <div className="field-row">
          <AmountField
            id="listing-quantity"
            label={t('editor.quantity')}
            hint={t('editor.decimalsHint', { n: 3 })}
            value={form.quantity}
            onValue={(v) => set('quantity', v)}
            unit={form.quantityUnit}
            onUnit={(u) => set('quantityUnit', u)}
            units={units}
            valuePath="quantity.value"
            unitPath="quantity.unit"
            paths={['quantity']}
            errors={err}
          />
          <AmountField
            id="listing-minorder"
            label={t('editor.minOrder')}
            hint={t('editor.decimalsHint', { n: 3 })}
            value={form.minOrder}
            onValue={(v) => set('minOrder', v)}
            unit={form.minOrderUnit}
            onUnit={(u) => set('minOrderUnit', u)}
            units={units}
            valuePath="minOrder.value"
            unitPath="minOrder.unit"
            paths={['minOrder']}
            errors={err}
          />
        </div>
        <Field
          id="listing-price"
          label={t('editor.price')}
          path={['price.amount', 'price.currency', 'price.unit', 'price']}
          errors={err}
          hint={t('editor.decimalsHint', { n: 4 })}
        >
          <div className="input-group">
            <input
              id="listing-price"
              data-testid="listing-price"
              inputMode="decimal"
              autoComplete="off"
              value={form.price}
              onChange={(e) => set('price', e.target.value)}
              {...invalidProps('price.amount', err)}
            />
            <label className="visually-hidden" htmlFor="listing-currency">
              {t('editor.currency')}
            </label>
            <select
              id="listing-currency"
              data-testid="listing-currency"
              className="input-group-select"
              value={form.currency}
              onChange={(e) => set('currency', e.target.value)}
              {...invalidProps('price.currency', err)}
            >
              {currencies.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
            <span className="input-group-text" aria-hidden="true">
              /
            </span>
            <label className="visually-hidden" htmlFor="listing-price-unit">
              {t('editor.priceUnit')}
            </label>
            <select
              id="listing-price-unit"
              data-testid="listing-price-unit"
              className="input-group-select"
              value={form.priceUnit}
              onChange={(e) => set('priceUnit', e.target.value)}
              {...invalidProps('price.unit', err)}
            >
              {withCurrent(units, form.priceUnit).map((u) => (
                <option key={u} value={u}>
                  {unitLabel(u, t)}
                </option>
              ))}
            </select>
          </div>
        </Field>
      </section>

      <section className="panel">
        <h2>{t('editor.section.terms')}</h2>
        <div className="field-row field-row-3">
          <Field id="listing-incoterm" label={t('editor.incoterm')} path="incoterm" errors={err}>
            <select
              id="listing-incoterm"
              data-testid="listing-incoterm"
              value={form.incoterm}
              onChange={(e) => set('incoterm', e.target.value)}
            >
              <option value="">{t('editor.selectPlaceholder')}</option>
              {incoterms.map((i) => (
                <option key={i} value={i}>
                  {seaOnlyIncoterms.includes(i) ? `${i} — ${t('editor.seaOnly')}` : i}
                </option>
              ))}
            </select>
          </Field>
          <Field
            id="listing-place"
            label={t('editor.place')}
            path="namedPlace"
            errors={err}
            data-testid="listing-place"
            value={form.namedPlace}
            maxLength={120}
            placeholder={t('editor.placePlaceholder')}
            onChange={(e) => set('namedPlace', e.target.value)}
          />
          <Field id="listing-mode" label={t('editor.mode')} path="deliveryMode" errors={err}>
            <CodeSelect
              id="listing-mode"
              data-testid="listing-mode"
              value={form.deliveryMode}
              codes={deliveryModes}
              label={(m) => modeLabel(m, t)}
              placeholder={t('editor.selectPlaceholder')}
              onChange={(m) => set('deliveryMode', m)}
            />
          </Field>
        </div>
        {seaOnlyMismatch && (
          <p className="notice notice-warning field-notice" role="status" data-testid="listing-incoterm-hint">
            {t('editor.seaOnlyHint', { term: form.incoterm, mode: modeLabel(form.deliveryMode, t) })}
          </p>
        )}

        <fieldset className="field fieldset" aria-invalid={err['paymentTerms'] ? true : undefined}>
          <legend>{t('editor.paymentTerms')}</legend>
          <div className="checkbox-list">
            {paymentTermCodes.map((code) => (
              <label key={code} className="checkbox">
                <input
                  type="checkbox"
                  data-testid={`listing-term-${code}`}
                  checked={form.paymentTerms.includes(code)}
                  onChange={(e) =>
                    set(
                      'paymentTerms',
                      e.target.checked ? [...form.paymentTerms, code] : form.paymentTerms.filter((c) => c !== code),
                    )
                  }
                />
                {termLabel(code, t)}
              </label>
            ))}
          </div>
          <FieldError path="paymentTerms" errors={err} />
        </fieldset>

        <div className="field-row field-row-3">
          <Field id="listing-packaging" label={t('editor.packaging')} path="packaging" errors={err}>
            <CodeSelect
              id="listing-packaging"
              data-testid="listing-packaging"
              value={form.packaging}
              codes={packagings}
              label={(p) => packagingLabel(p, t)}
              placeholder={t('packaging.none')}
              onChange={(p) => set('packaging', p)}
            />
          </Field>
          <Field
            id="listing-lead-time"
            label={t('editor.leadTime')}
            path="leadTimeDays"
            errors={err}
            data-testid="listing-lead-time"
            inputMode="numeric"
            value={form.leadTimeDays}
            onChange={(e) => set('leadTimeDays', e.target.value)}
          />
          <Field
            id="listing-valid-until"
            label={t('editor.validUntil')}
            path="validUntil"
            errors={err}
            hint={t('editor.validUntilHint')}
            data-testid="listing-valid-until"
            type="date"
            value={form.validUntil}
            min={inDays(0)}
            onChange={(e) => set('validUntil', e.target.value)}
          />
        </div>
        <Field
          id="listing-certificates"
          label={t('editor.certificates')}
          path="certificates"
          errors={err}
          hint={t('editor.certificatesHint')}
          data-testid="listing-certificates"
          value={form.certificates}
          placeholder={t('editor.certificatesPlaceholder')}
          onChange={(e) => set('certificates', e.target.value)}
        />
      </section>

      <div className="form-actions">
        <button type="submit" className="button button-primary" data-testid="listing-save" disabled={busy}>
          {busy ? t('auth.working') : listing ? t('editor.save') : t('editor.saveDraft')}
        </button>
        <Link
          to={listing ? `/listings/${encodeURIComponent(listing.id)}` : '/listings'}
          className="button"
          data-testid="listing-cancel"
        >
          {t('org.cancel')}
        </Link>
      </div>
    </form>
  );
}

function withCurrent(units: string[], current: string): string[] {
  return current && !units.includes(current) ? [...units, current] : units;
}

function summary(problems: FieldErrors, labels: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [path, list] of Object.entries(problems)) {
    for (const m of list) out.push(labels[path] ? `${labels[path]}: ${m}` : m);
  }
  return out;
}

type SpecInputProps = {
  field: SpecField;
  value: string;
  onChange: (v: string) => void;
  errors: FieldErrors;
  lang: string;
  t: Translate;
};

/** One input generated from the category's spec schema: a number with its unit and range, or a select of options. */
function SpecInput({ field, value, onChange, errors, lang, t }: SpecInputProps) {
  const id = `spec-${field.key}`;
  const path = `specs.${field.key}`;
  const label = localized(field.label, lang) || field.key;
  const hasMin = field.min !== null && field.min !== undefined;
  const hasMax = field.max !== null && field.max !== undefined;
  const unit = field.unit ?? '';
  const range =
    hasMin && hasMax
      ? t('editor.range', { min: decimalText(field.min), max: decimalText(field.max) })
      : hasMin
        ? t('editor.min', { min: decimalText(field.min) })
        : hasMax
          ? t('editor.max', { max: decimalText(field.max) })
          : '';
  return (
    <Field
      id={id}
      label={
        <>
          {label}
          {field.required && (
            <span className="required-mark" title={t('editor.required')}>
              {' '}
              *<span className="visually-hidden">{t('editor.required')}</span>
            </span>
          )}
        </>
      }
      path={path}
      errors={errors}
      hint={range ? `${range}${unit ? ` ${unit}` : ''}` : undefined}
    >
      {field.type === 'enum' ? (
        <select id={id} data-testid={id} value={value} required={field.required} onChange={(e) => onChange(e.target.value)}>
          <option value="">{t('editor.selectPlaceholder')}</option>
          {value && !(field.options ?? []).includes(value) && <option value={value}>{value}</option>}
          {(field.options ?? []).map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      ) : (
        <div className="input-group">
          <input
            id={id}
            data-testid={id}
            inputMode="decimal"
            autoComplete="off"
            value={value}
            required={field.required}
            aria-describedby={range ? `${id}-hint` : undefined}
            onChange={(e) => onChange(e.target.value)}
            {...invalidProps(path, errors)}
          />
          {unit && (
            <span className="input-group-text" aria-hidden="true">
              {unit}
            </span>
          )}
        </div>
      )}
    </Field>
  );
}
