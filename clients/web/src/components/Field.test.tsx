import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Field } from './Field';

describe('<Field>', () => {
  it('labels the input, shows its server error and hint, and points the input at both', () => {
    const html = renderToStaticMarkup(
      <Field id="listing-place" label="Named place" path="namedPlace" errors={{ namedPlace: ['Required.'] }} hint="A port or a station" data-testid="listing-place" />,
    );
    expect(html).toContain('<label for="listing-place">Named place</label>');
    expect(html).toContain('aria-invalid="true"');
    expect(html).toContain('aria-describedby="listing-place-hint field-error-namedPlace"');
    expect(html).toContain('data-testid="field-error-namedPlace"');
    expect(html).toContain('<p class="hint" id="listing-place-hint">A port or a station</p>');
  });

  it('marks the child control that carries its id, and leaves a valid one alone', () => {
    const invalid = renderToStaticMarkup(
      <Field id="mode" label="Mode" path="deliveryMode" errors={{ deliveryMode: ['Unknown.'] }}>
        <select id="mode" />
      </Field>,
    );
    expect(invalid).toContain('<select id="mode" aria-invalid="true" aria-describedby="field-error-deliveryMode">');
    const valid = renderToStaticMarkup(
      <Field id="mode" label="Mode" path="deliveryMode" errors={{}}>
        <select id="mode" />
      </Field>,
    );
    expect(valid).toContain('<select id="mode"></select>');
    expect(valid).not.toContain('field-error');
  });

  it('shows the errors of every path it is given', () => {
    const html = renderToStaticMarkup(
      <Field id="price" label="Price" path={['price.amount', 'price.currency']} errors={{ 'price.amount': ['Too many decimals.'], 'price.currency': ['Unknown currency.'] }} />,
    );
    expect(html).toContain('Too many decimals.');
    expect(html).toContain('Unknown currency.');
  });
});
