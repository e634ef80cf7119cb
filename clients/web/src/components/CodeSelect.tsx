import type { ReactNode, SelectHTMLAttributes } from 'react';

type Props<T extends string> = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange' | 'children'> & {
  value: T | '';
  /** The codes offered, in order; each option's value is the code itself. */
  codes: readonly T[];
  /** What the user reads for a code (a dictionary label); the code itself without one. */
  label?: (code: T) => ReactNode;
  /** An empty first option ("choose …"); none when absent. */
  placeholder?: ReactNode;
  onChange: (code: T) => void;
  'data-testid'?: string;
};

/** A select of fixed codes (Incoterms, kinds, units …) with their labels: the one way forms offer a code list. */
export function CodeSelect<T extends string>({ codes, label, placeholder, onChange, ...select }: Props<T>) {
  return (
    <select {...select} onChange={(e) => onChange(e.target.value as T)}>
      {placeholder !== undefined && <option value="">{placeholder}</option>}
      {codes.map((code) => (
        <option key={code} value={code}>
          {label ? label(code) : code}
        </option>
      ))}
    </select>
  );
}
