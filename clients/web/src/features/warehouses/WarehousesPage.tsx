import { useEffect, useState, type FormEvent } from 'react';
import { api, warehouseKinds, type Warehouse, type WarehouseKind } from '../../api';
import { useAuth } from '../../auth';
import { FieldError } from '../../components/FieldError';
import { FormErrors } from '../../components/FormErrors';
import { NoOrganization, OrganizationPicker } from '../../components/OrganizationPicker';
import { countryName } from '../../countries';
import { CountrySelect } from '../../components/CountrySelect';
import { errorMessages, fieldMessages } from '../../errors';
import { checkDecimalInput, normalizeDecimalInput } from '../../format';
import { useI18n, useStableT } from '../../i18n';
import { warehouseKindLabel } from '../../labels';
import { canTrade, rememberOrganization, useOrganizationSelection } from '../../hooks/organizationSelection';
import { Link } from '../../router';
import { usePageTitle } from '../../hooks/usePageTitle';
import { Field } from '../../components/Field';
import { CodeSelect } from '../../components/CodeSelect';

/** The selected organization's warehouses and a form to add one. */
export function WarehousesPage() {
  const { t, locale } = useI18n();
  const stableT = useStableT();
  const { me } = useAuth();
  const selection = useOrganizationSelection();
  const orgId = selection.selectedId;
  const [warehouses, setWarehouses] = useState<Warehouse[] | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const [created, setCreated] = useState<string | null>(null);
  usePageTitle(t('warehouses.title'));

  useEffect(() => {
    if (!orgId) return;
    rememberOrganization(orgId);
    const controller = new AbortController();
    setWarehouses(null);
    setErrors([]);
    setCreated(null);
    api
      .warehouses(orgId, controller.signal)
      .then((w) => setWarehouses(w ?? []))
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        setWarehouses([]);
        setErrors(errorMessages(err, stableT));
      });
    return () => controller.abort();
    // t is left out on purpose: switching language must not reload the list.
  }, [orgId, stableT]);

  if (selection.organizations.length === 0 || !orgId) {
    return (
      <div className="page">
        <h1>{t('warehouses.title')}</h1>
        <NoOrganization />
      </div>
    );
  }

  const trader = canTrade(me, orgId);
  return (
    <div className="page">
      <div className="page-toolbar">
        <div className="page-header">
          <p className="eyebrow">{selection.selected?.name}</p>
          <h1>{t('warehouses.title')}</h1>
        </div>
        <OrganizationPicker selection={selection} />
      </div>
      <p className="lead">{t('warehouses.intro')}</p>
      {created && (
        <p className="notice notice-success" role="status" data-testid="warehouse-created">
          {t('warehouses.created', { name: created })}
        </p>
      )}
      <FormErrors messages={errors} />

      <div className="grid-2 grid-wide-left">
        <section className="panel">
          <h2>{t('warehouses.list')}</h2>
          {warehouses === null ? (
            <p className="muted">{t('app.loading')}</p>
          ) : warehouses.length ? (
            <table className="table" data-testid="warehouses-table">
              <thead>
                <tr>
                  <th>{t('warehouses.col.name')}</th>
                  <th>{t('warehouses.col.kind')}</th>
                  <th>{t('warehouses.col.city')}</th>
                  <th>{t('warehouses.col.country')}</th>
                </tr>
              </thead>
              <tbody>
                {warehouses.map((w) => (
                  <tr key={w.id} data-testid="warehouse-row" data-warehouse-id={w.id}>
                    <td data-label={t('warehouses.col.name')}>
                      <Link to={`/warehouses/${encodeURIComponent(w.id)}`} className="strong">
                        {w.name}
                      </Link>
                    </td>
                    <td data-label={t('warehouses.col.kind')}>{warehouseKindLabel(w.kind, t)}</td>
                    <td data-label={t('warehouses.col.city')}>{w.city}</td>
                    <td data-label={t('warehouses.col.country')}>
                      {countryName(w.countryCode, locale)} <span className="muted">({w.countryCode})</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted" data-testid="warehouses-empty">
              {t('warehouses.empty')}
            </p>
          )}
        </section>

        <section className="panel">
          <h2>{t('warehouses.create')}</h2>
          {trader ? (
            <WarehouseForm
              organizationId={orgId}
              onCreated={(w) => {
                setWarehouses((prev) =>
                  [...(prev ?? []), w].sort((a, b) => a.name.localeCompare(b.name, locale)),
                );
                setCreated(w.name);
              }}
            />
          ) : (
            <p className="muted">{t('warehouses.readOnly')}</p>
          )}
        </section>
      </div>
    </div>
  );
}

type FieldErrors = Record<string, string[]>;

function WarehouseForm({ organizationId, onCreated }: { organizationId: string; onCreated: (w: Warehouse) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<WarehouseKind>('overseas');
  const [countryCode, setCountryCode] = useState('');
  const [city, setCity] = useState('');
  const [lat, setLat] = useState('');
  const [lon, setLon] = useState('');
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [messages, setMessages] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  const labels: Record<string, string> = {
    name: t('warehouses.field.name'),
    kind: t('warehouses.field.kind'),
    countryCode: t('warehouses.field.country'),
    city: t('warehouses.field.city'),
    location: t('warehouses.field.location'),
    'location.lat': t('warehouses.field.lat'),
    'location.lon': t('warehouses.field.lon'),
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    const problems: FieldErrors = {};
    const coordinate = (path: string, raw: string) => {
      const text = normalizeDecimalInput(raw);
      if (!text) return null;
      if (checkDecimalInput(text, 6, { allowNegative: true })) problems[path] = [t('warehouses.error.coordinate')];
      return text;
    };
    const latText = coordinate('location.lat', lat);
    const lonText = coordinate('location.lon', lon);
    if (Object.keys(problems).length) {
      setFieldErrors(problems);
      setMessages(Object.entries(problems).flatMap(([k, list]) => list.map((m) => `${labels[k] ?? k}: ${m}`)));
      return;
    }
    setBusy(true);
    setFieldErrors({});
    setMessages([]);
    try {
      const w = await api.createWarehouse({
        organizationId,
        name: name.trim(),
        kind,
        countryCode,
        city: city.trim(),
        location: { lat: latText, lon: lonText },
      });
      setName('');
      setCity('');
      setLat('');
      setLon('');
      onCreated(w);
    } catch (err) {
      setFieldErrors(fieldMessages(err, t));
      setMessages(errorMessages(err, t, labels));
    } finally {
      setBusy(false);
    }
  }

  const err = fieldErrors;
  return (
    <form className="form" onSubmit={submit} noValidate data-testid="warehouse-form">
      <FormErrors messages={messages} />
      <Field
        id="warehouse-name"
        label={labels.name}
        path="name"
        errors={err}
        data-testid="warehouse-name"
        value={name}
        maxLength={120}
        onChange={(e) => setName(e.target.value)}
        required
      />
      <div className="field-row">
        <Field id="warehouse-kind" label={labels.kind} path="kind" errors={err}>
          <CodeSelect
            id="warehouse-kind"
            data-testid="warehouse-kind"
            value={kind}
            codes={warehouseKinds}
            label={(k) => warehouseKindLabel(k, t)}
            onChange={setKind}
          />
        </Field>
        <Field id="warehouse-country" label={labels.countryCode} path="countryCode" errors={err}>
          <CountrySelect
            id="warehouse-country"
            data-testid="warehouse-country"
            value={countryCode}
            onChange={(e) => setCountryCode(e.target.value)}
            required />
        </Field>
      </div>
      <Field
        id="warehouse-city"
        label={labels.city}
        path="city"
        errors={err}
        data-testid="warehouse-city"
        value={city}
        maxLength={80}
        onChange={(e) => setCity(e.target.value)}
        required
      />
      <div className="field-row">
        <Field
          id="warehouse-lat"
          label={labels['location.lat']}
          path="location.lat"
          errors={err}
          data-testid="warehouse-lat"
          inputMode="decimal"
          value={lat}
          placeholder="36.0671"
          onChange={(e) => setLat(e.target.value)}
        />
        <Field
          id="warehouse-lon"
          label={labels['location.lon']}
          path="location.lon"
          errors={err}
          data-testid="warehouse-lon"
          inputMode="decimal"
          value={lon}
          placeholder="120.3826"
          onChange={(e) => setLon(e.target.value)}
        />
      </div>
      <FieldError path="location" errors={err} />
      <p className="hint">{t('warehouses.field.locationHint')}</p>
      <div className="form-actions">
        <button type="submit" className="button button-primary" data-testid="warehouse-submit" disabled={busy}>
          {busy ? t('auth.working') : t('warehouses.submit')}
        </button>
      </div>
    </form>
  );
}
