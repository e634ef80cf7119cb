import type { TermNames } from '../../components/TermSheet';
import { formatDate, formatPrice, formatQuantity } from '../../format';
import type { Translate } from '../../i18n';
import { modeLabel, termLabel } from '../../labels';

export type Names = TermNames;

/** Labels of the term sheet's fields, for counter differences and field errors. */
export function termLabels(t: Translate): Record<string, string> {
  return {
    price: t('negotiation.price'),
    'price.amount': t('negotiation.price'),
    'price.currency': t('search.currency'),
    'price.unit': `${t('negotiation.price')} (${t('editor.unit')})`,
    quantity: t('negotiation.quantity'),
    'quantity.value': t('negotiation.quantity'),
    'quantity.unit': `${t('negotiation.quantity')} (${t('editor.unit')})`,
    tolerancePercent: t('negotiation.tolerance'),
    incoterm: 'Incoterms 2020',
    namedPlace: t('rfq.place'),
    deliveryMode: t('listing.mode'),
    deliveryWindow: t('negotiation.deliveryWindow'),
    'deliveryWindow.from': t('negotiation.deliveryFrom'),
    'deliveryWindow.to': t('negotiation.deliveryTo'),
    paymentTerms: t('listing.paymentTerms'),
    inspectionBody: t('negotiation.inspection'),
    sourceWarehouseId: t('negotiation.shipsFrom'),
    validUntil: t('negotiation.validHours'),
    counterToOfferId: t('negotiation.counterTitle'),
    specs: t('negotiation.specs'),
  };
}

/**
 * One side of a counter-offer's change, for display: the server sends price and quantity as invariant text
 * ("236 USD/t", "600 t"), written again here by the locale formatter with the dictionary's units ("236 USD/吨");
 * codes are translated, the delivery window and warehouses named.
 */
export function changeText(
  field: string,
  value: string | null,
  context: { t: Translate; locale: string; warehouse: (id: string) => string },
): string {
  if (value === null || value === '') return '—';
  switch (field) {
    case 'price': {
      const m = /^(-?\d+(?:\.\d+)?) ([A-Z]{3})\/(\S+)$/.exec(value);
      return m ? formatPrice({ amount: m[1]!, currency: m[2]!, unit: m[3]! }, context.locale, context.t) : value;
    }
    case 'quantity': {
      const m = /^(-?\d+(?:\.\d+)?) (\S+)$/.exec(value);
      return m ? formatQuantity({ value: m[1]!, unit: m[2]! }, context.locale, context.t) : value;
    }
    case 'tolerancePercent':
      return `±${value}%`;
    case 'deliveryMode':
      return modeLabel(value, context.t);
    case 'paymentTerms':
      return termLabel(value, context.t);
    case 'deliveryWindow': {
      const [from, to] = value.split('..');
      return from && to ? `${formatDate(from, context.locale)} – ${formatDate(to, context.locale)}` : value;
    }
    case 'sourceWarehouseId':
      return context.warehouse(value);
    default:
      return value;
  }
}

/** The name of a changed term: a spec by the commodity's schema, the others by the term sheet's labels. */
export function changeLabel(field: string, labels: Readonly<Record<string, string>>, spec: (key: string) => string): string {
  return field.startsWith('specs.') ? spec(field.slice('specs.'.length)) : (labels[field] ?? field);
}
