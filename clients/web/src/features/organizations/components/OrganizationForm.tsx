import { useState, type FormEvent } from 'react';
import { ApiError, type OrgKind, type OrganizationInput } from '../../../api';
import { CountrySelect } from '../../../components/CountrySelect';
import { errorMessages } from '../../../errors';
import { useI18n, type MessageKey } from '../../../i18n';
import { FormErrors } from '../../../components/FormErrors';
import { Field } from '../../../components/Field';

const kinds: { value: OrgKind; label: MessageKey }[] = [
  { value: 'exporter', label: 'org.kind.exporter' },
  { value: 'importer', label: 'org.kind.importer' },
  { value: 'both', label: 'org.kind.both' },
];

type Field = keyof OrganizationInput;

type Props = {
  initial?: OrganizationInput;
  submitLabel: string;
  /** Called with the trimmed input; a thrown ApiError is shown in the form. */
  onSubmit: (input: OrganizationInput) => Promise<void>;
  onCancel?: () => void;
};

/** Create/edit form of an organization (the same body for POST and PUT). */
export function OrganizationForm({ initial, submitLabel, onSubmit, onCancel }: Props) {
  const { t } = useI18n();
  const [name, setName] = useState(initial?.name ?? '');
  const [countryCode, setCountryCode] = useState(initial?.countryCode ?? '');
  const [kind, setKind] = useState<OrgKind>(initial?.kind ?? 'exporter');
  const [registrationNumber, setRegistrationNumber] = useState(initial?.registrationNumber ?? '');
  const [legalNameRu, setLegalNameRu] = useState(initial?.legalNameRu ?? '');
  const [legalNameZh, setLegalNameZh] = useState(initial?.legalNameZh ?? '');
  const [errors, setErrors] = useState<string[]>([]);
  const [invalid, setInvalid] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const labels: Record<Field, string> = {
    name: t('org.field.name'),
    countryCode: t('org.field.country'),
    kind: t('org.field.kind'),
    registrationNumber: t('org.field.registration'),
    legalNameRu: t('org.field.legalNameRu'),
    legalNameZh: t('org.field.legalNameZh'),
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    const input: OrganizationInput = {
      name: name.trim(),
      countryCode,
      kind,
      registrationNumber: registrationNumber.trim(),
      legalNameRu: legalNameRu.trim() || null,
      legalNameZh: legalNameZh.trim() || null,
    };
    const problems: string[] = [];
    const bad = new Set<string>();
    if (!input.name) {
      problems.push(t('org.error.nameRequired'));
      bad.add('name');
    }
    if (!input.countryCode) {
      problems.push(t('org.error.countryRequired'));
      bad.add('countryCode');
    }
    if (!input.registrationNumber) {
      problems.push(t('org.error.registrationRequired'));
      bad.add('registrationNumber');
    }
    setErrors(problems);
    setInvalid(bad);
    if (problems.length) return;

    setBusy(true);
    try {
      await onSubmit(input);
    } catch (err) {
      setErrors(errorMessages(err, t, labels));
      setInvalid(new Set(err instanceof ApiError ? Object.keys(err.errors) : []));
    } finally {
      setBusy(false);
    }
  }

  const aria = (field: Field) => (invalid.has(field) ? { 'aria-invalid': true as const } : {});

  return (
    <form className="panel form" onSubmit={submit} noValidate>
      <FormErrors messages={errors} />
      <Field
        id="org-name"
        label={labels.name}
        data-testid="org-name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        maxLength={200}
        autoComplete="organization"
        required
        invalid={invalid.has('name')}
      />
      <div className="field-row">
        <Field id="org-country" label={labels.countryCode}>
          <CountrySelect
            id="org-country"
            data-testid="org-country"
            value={countryCode}
            onChange={(e) => setCountryCode(e.target.value)}
            required
            {...aria('countryCode')} />
        </Field>
        <Field id="org-kind" label={labels.kind}>
          <select
            id="org-kind"
            data-testid="org-kind"
            value={kind}
            onChange={(e) => setKind(e.target.value as OrgKind)}
            {...aria('kind')}
          >
            {kinds.map((k) => (
              <option key={k.value} value={k.value}>
                {t(k.label)}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <Field
        id="org-registration"
        label={labels.registrationNumber}
        hint={t('org.field.registrationHint')}
        data-testid="org-registration"
        value={registrationNumber}
        onChange={(e) => setRegistrationNumber(e.target.value)}
        maxLength={64}
        required
        invalid={invalid.has('registrationNumber')}
      />
      <div className="field-row">
        <Field
          id="org-legal-name-ru"
          label={labels.legalNameRu}
          hint={t('org.field.legalNamesHint')}
          data-testid="org-legal-name-ru"
          lang="ru"
          value={legalNameRu}
          onChange={(e) => setLegalNameRu(e.target.value)}
          maxLength={200}
          invalid={invalid.has('legalNameRu')}
        />
        <Field
          id="org-legal-name-zh"
          label={labels.legalNameZh}
          hint={t('org.field.legalNamesHint')}
          data-testid="org-legal-name-zh"
          lang="zh"
          value={legalNameZh}
          onChange={(e) => setLegalNameZh(e.target.value)}
          maxLength={200}
          invalid={invalid.has('legalNameZh')}
        />
      </div>
      <div className="form-actions">
        <button type="submit" className="button button-primary" data-testid="org-submit" disabled={busy}>
          {busy ? t('auth.working') : submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="button" onClick={onCancel} disabled={busy}>
            {t('org.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}
