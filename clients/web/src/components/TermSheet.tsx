import type { TermSheet } from '../api';
import { decimalText, formatDate, formatPrice, formatQuantity } from '../format';
import type { Translate } from '../i18n';
import { modeLabel, termLabel } from '../labels';

/** What a page knows to name things: warehouses by id, spec keys by the category's schema. */
export type TermNames = { warehouse: (id: string) => string; spec: (key: string) => string };

/** A term sheet as a definition list (offers, counters, deals). */
export function Terms({ terms, t, locale, names }: { terms: TermSheet; t: Translate; locale: string; names?: Partial<TermNames> }) {
  return (
    <dl className="terms">
      <dt>{t('negotiation.price')}</dt>
      <dd>{formatPrice(terms.price, locale, t)}</dd>
      <dt>{t('negotiation.quantity')}</dt>
      <dd>
        {formatQuantity(terms.quantity, locale, t)} ±{decimalText(terms.tolerancePercent)}%
      </dd>
      <dt>Incoterms 2020</dt>
      <dd>
        {terms.incoterm} {terms.namedPlace} ({modeLabel(terms.deliveryMode, t)})
      </dd>
      <dt>{t('negotiation.deliveryWindow')}</dt>
      <dd>
        {formatDate(terms.deliveryWindow.from, locale)} – {formatDate(terms.deliveryWindow.to, locale)}
      </dd>
      <dt>{t('listing.paymentTerms')}</dt>
      <dd>{termLabel(terms.paymentTerms, t)}</dd>
      {terms.inspectionBody && (
        <>
          <dt>{t('negotiation.inspection')}</dt>
          <dd>{terms.inspectionBody}</dd>
        </>
      )}
      {terms.sourceWarehouseId && (
        <>
          <dt>{t('negotiation.shipsFrom')}</dt>
          <dd>{names?.warehouse ? names.warehouse(terms.sourceWarehouseId) : t('negotiation.sellerWarehouse')}</dd>
        </>
      )}
      {Object.entries(terms.specs ?? {}).map(([key, value]) => (
        <div key={key} className="terms-row">
          <dt>{names?.spec ? names.spec(key) : key}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
