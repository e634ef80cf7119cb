import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { CodeSelect } from './CodeSelect';
import { Field } from './Field';

describe('<CodeSelect>', () => {
  it('offers every code as its own value with its label, after the placeholder', () => {
    const html = renderToStaticMarkup(
      <CodeSelect id="mode" value="rail" codes={['rail', 'sea']} label={(m) => m.toUpperCase()} placeholder="Choose" onChange={() => {}} />,
    );
    expect(html).toBe('<select id="mode"><option value="">Choose</option><option value="rail" selected="">RAIL</option><option value="sea">SEA</option></select>');
  });

  it('shows the code itself without a label and has no empty option without a placeholder', () => {
    const html = renderToStaticMarkup(<CodeSelect value="USD" codes={['USD', 'CNY']} onChange={() => {}} aria-label="Currency" />);
    expect(html).toBe('<select aria-label="Currency"><option value="USD" selected="">USD</option><option value="CNY">CNY</option></select>');
  });

  it('is marked by the Field that carries its id', () => {
    const html = renderToStaticMarkup(
      <Field id="kind" label="Kind" path="kind" errors={{ kind: ['Unknown.'] }}>
        <CodeSelect id="kind" value="" codes={['port']} onChange={() => {}} />
      </Field>,
    );
    expect(html).toContain('<select id="kind" aria-invalid="true" aria-describedby="field-error-kind">');
  });
});
