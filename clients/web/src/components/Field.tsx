import { cloneElement, isValidElement, type InputHTMLAttributes, type ReactNode, type Ref } from 'react';
import { FieldError, fieldErrorId, type FieldErrors } from './FieldError';

type Props = Omit<InputHTMLAttributes<HTMLInputElement>, 'children'> & {
  /** The control's id; the label points at it. */
  id: string;
  label: ReactNode;
  /** API paths ("price.amount") whose errors show under the control; the control is marked invalid by the first. */
  path?: string | readonly string[];
  errors?: FieldErrors;
  /** Marks the control invalid without a message of its own (the form lists the problems above). */
  invalid?: boolean;
  hint?: ReactNode;
  /** Extra classes of the wrapper ("field-inline"). */
  className?: string;
  /** The control when it is not a plain <input>: a select, a textarea, an input group. A single element with the
   * field's id gets the aria attributes; a group's inputs take them with `invalidProps`. Without children the
   * remaining props go to an <input>. */
  children?: ReactNode;
  'data-testid'?: string;
  /** The plain <input>'s ref (file inputs are cleared through it). */
  ref?: Ref<HTMLInputElement>;
};

/** One form field: label, control, the server's (or the form's) errors for it, and a hint. */
export function Field({ id, label, path, errors = {}, invalid, hint, className, children, ...input }: Props) {
  const paths: readonly string[] = path === undefined ? [] : typeof path === 'string' ? [path] : path;
  const first = paths[0];
  const hasError = invalid || (first !== undefined && !!errors[first]?.length);
  const hintId = hint ? `${id}-hint` : undefined;
  const aria = (own: unknown) => {
    const describedBy = [typeof own === 'string' ? own : undefined, hintId, hasError && first !== undefined && errors[first]?.length ? fieldErrorId(first) : undefined]
      .filter(Boolean)
      .join(' ');
    return { ...(hasError ? { 'aria-invalid': true as const } : {}), ...(describedBy ? { 'aria-describedby': describedBy } : {}) };
  };

  let control: ReactNode;
  if (children === undefined) {
    control = <input id={id} {...input} {...aria(input['aria-describedby'])} />;
  } else if (isValidElement<Record<string, unknown>>(children) && children.props['id'] === id) {
    // The control that carries the field's id (a select, a textarea, a CountrySelect) is marked here.
    control = cloneElement(children, aria(children.props['aria-describedby']));
  } else {
    control = children;
  }

  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label htmlFor={id}>{label}</label>
      {control}
      {paths.map((p) => (
        <FieldError key={p} path={p} errors={errors} />
      ))}
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
    </div>
  );
}
