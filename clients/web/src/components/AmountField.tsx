import { invalidProps, type FieldErrors } from './FieldError';
import { Field } from './Field';
import { useI18n } from '../i18n';
import { unitLabel } from '../labels';

type Props = {
  id: string;
  label: string;
  hint?: string;
  value: string;
  onValue: (value: string) => void;
  unit: string;
  onUnit: (unit: string) => void;
  units: readonly string[];
  /** API paths of the amount and the unit ("quantity.value", "quantity.unit"); `paths` adds others shown here. */
  valuePath: string;
  unitPath: string;
  paths?: readonly string[];
  errors: FieldErrors;
  className?: string;
  /** The unit select's (hidden) label; "<label> (unit)" when not given. */
  unitText?: string;
};

/** A decimal typed as text with its unit beside it (quantities of listings, offers, stock movements). */
export function AmountField({ id, label, hint, value, onValue, unit, onUnit, units, valuePath, unitPath, paths = [], errors, className, unitText }: Props) {
  const { t } = useI18n();
  const choices = unit && !units.includes(unit) ? [...units, unit] : units;
  return (
    <Field id={id} label={label} hint={hint} path={[valuePath, unitPath, ...paths]} errors={errors} className={className}>
      <div className="input-group">
        <input
          id={id}
          data-testid={id}
          inputMode="decimal"
          autoComplete="off"
          value={value}
          onChange={(e) => onValue(e.target.value)}
          {...invalidProps(valuePath, errors)}
        />
        <label className="visually-hidden" htmlFor={`${id}-unit`}>
          {unitText ?? `${label} (${t('editor.unit')})`}
        </label>
        <select
          id={`${id}-unit`}
          data-testid={`${id}-unit`}
          className="input-group-select"
          value={unit}
          onChange={(e) => onUnit(e.target.value)}
          {...invalidProps(unitPath, errors)}
        >
          {choices.map((u) => (
            <option key={u} value={u}>
              {unitLabel(u, t)}
            </option>
          ))}
        </select>
      </div>
    </Field>
  );
}
