import { useEffect, useRef, useState } from 'react';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { api, type LiveReport } from '../../api';
import { FormErrors } from '../../components/FormErrors';
import { errorMessages } from '../../errors';
import { decimalText, formatAmountUnit, formatCount, formatDecimalFixed, formatTime, localized } from '../../format';
import { usePageTitle } from '../../hooks/usePageTitle';
import { useI18n } from '../../i18n';
import { Link } from '../../router';
import { LiveStatusBadge } from './components/SessionBits';

// Only the pieces the two charts use are registered, so the bundle carries no other chart types.
Chart.register(LineController, LineElement, PointElement, BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

/** How often the report of a running session is read again. */
const refreshMs = 30_000;

/** A Chart.js chart on a canvas, rebuilt when its configuration changes. */
function ChartCanvas({ config, label, testId }: { config: ChartConfiguration; label: string; testId: string }) {
  const canvas = useRef<HTMLCanvasElement | null>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, config);
    return () => chart.destroy();
  }, [config]);
  return (
    <div className="live-chart">
      <canvas ref={canvas} role="img" aria-label={label} data-testid={testId} />
    </div>
  );
}

export function LiveReportPage({ id }: { id: string }) {
  const { t, lang, locale } = useI18n();
  const [report, setReport] = useState<LiveReport | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  usePageTitle(report ? `${t('live.report')} · ${localized(report.title, lang)}` : t('live.report'));

  useEffect(() => {
    const controller = new AbortController();
    const load = () =>
      api
        .liveSessionReport(id, controller.signal)
        .then((r) => {
          setReport(r);
          setErrors([]);
        })
        .catch((e: unknown) => !controller.signal.aborted && setErrors(errorMessages(e, t)));
    void load();
    const timer = window.setInterval(() => void load(), refreshMs);
    return () => {
      controller.abort();
      window.clearInterval(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);

  const [charts, setCharts] = useState<{ viewers: ChartConfiguration; interest: ChartConfiguration } | null>(null);
  useEffect(() => {
    if (!report) return;
    setCharts({
      viewers: {
        type: 'line',
        data: {
          labels: report.viewersPerMinute.map((p) => formatTime(p.at, locale)),
          datasets: [{ label: t('live.report.viewers'), data: report.viewersPerMinute.map((p) => p.count), borderColor: '#1f6feb', tension: 0.2 }],
        },
        options: { responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      },
      interest: {
        type: 'bar',
        data: {
          labels: report.interest.map((l) => localized(l.title, lang) || l.listingId),
          // The chart needs numbers; the table below keeps the exact decimals.
          datasets: [{ label: t('live.report.valueUsd'), data: report.interest.map((l) => Number(decimalText(l.value))), backgroundColor: '#2da44e' }],
        },
        options: { responsive: true, maintainAspectRatio: false, indexAxis: 'y', scales: { x: { beginAtZero: true } } },
      },
    });
  }, [report, lang, locale, t]);

  return (
    <div className="page">
      <p className="breadcrumbs">
        <Link to={`/live/${encodeURIComponent(id)}`}>{t('live.report.back')}</Link>
      </p>
      <div className="page-toolbar">
        <div className="page-header">
          <p className="eyebrow">{t('live.report')}</p>
          <h1>{report ? localized(report.title, lang) : t('live.report')}</h1>
        </div>
        <div className="toolbar-group">
          {report && <LiveStatusBadge status={report.status} />}
          <a className="button" href={api.liveSessionReportCsvUrl(id)} download data-testid="report-csv">
            {t('live.report.csv')}
          </a>
        </div>
      </div>
      <FormErrors messages={errors} />
      {!report && errors.length === 0 && <p className="muted">{t('app.loading')}</p>}
      {report && (
        <>
          {report.scope === 'own_listings' && <p className="notice notice-info">{t('live.report.ownScope')}</p>}
          <dl className="live-counters panel" data-testid="report-totals">
            {(
              [
                ['live.report.registrants', report.registrants],
                ['live.report.uniqueViewers', report.uniqueViewers],
                ['live.report.peakViewers', report.peakViewers],
                ['live.report.questionsAsked', report.questions.asked],
                ['live.report.questionsAnswered', report.questions.answered],
                ['live.report.roomsOpened', report.roomsOpened],
                ['live.report.dealsCreated', report.dealsCreated],
              ] as const
            ).map(([key, n]) => (
              <div key={key}>
                <dt>{t(key)}</dt>
                <dd data-testid={`report-${key.slice('live.report.'.length)}`}>{formatCount(n, locale)}</dd>
              </div>
            ))}
          </dl>
          <section className="panel">
            <h2>{t('live.report.viewersOverTime')}</h2>
            {report.viewersPerMinute.length > 0 && charts ? (
              <ChartCanvas config={charts.viewers} label={t('live.report.viewersOverTime')} testId="report-viewers-chart" />
            ) : (
              <p className="muted">{t('live.report.noViewers')}</p>
            )}
            {report.viewersPerMinute.length > 0 && (
              <details>
                <summary>{t('live.report.table')}</summary>
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">{t('live.report.minute')}</th>
                      <th scope="col" className="num">
                        {t('live.report.viewers')}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.viewersPerMinute.map((p) => (
                      <tr key={p.at}>
                        <td>{formatTime(p.at, locale)}</td>
                        <td className="num">{formatCount(p.count, locale)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </details>
            )}
          </section>
          <section className="panel">
            <h2>{t('live.report.interest')}</h2>
            {report.interest.length > 0 && charts ? (
              <ChartCanvas config={charts.interest} label={t('live.report.interest')} testId="report-interest-chart" />
            ) : (
              <p className="muted">{t('live.report.noInterest')}</p>
            )}
            {report.interest.length > 0 && (
              <table className="table" data-testid="report-interest">
                <thead>
                  <tr>
                    <th scope="col">{t('live.report.listing')}</th>
                    <th scope="col" className="num">
                      {t('live.report.statements')}
                    </th>
                    <th scope="col" className="num">
                      {t('live.report.quantity')}
                    </th>
                    <th scope="col" className="num">
                      {t('live.report.value')}
                    </th>
                    <th scope="col" className="num">
                      {t('live.report.roomsOpened')}
                    </th>
                    <th scope="col" className="num">
                      {t('live.report.dealsCreated')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {report.interest.map((l) => (
                    <tr key={l.listingId} data-testid="report-interest-row" data-listing-id={l.listingId}>
                      <td>
                        <Link to={`/listings/${encodeURIComponent(l.listingId)}`}>{localized(l.title, lang) || l.listingId}</Link>
                      </td>
                      <td className="num">{formatCount(l.interests, locale)}</td>
                      <td className="num">{formatAmountUnit(l.quantity, l.unit, locale, t)}</td>
                      <td className="num">
                        {formatDecimalFixed(l.value, 2, locale)} {l.currency}
                      </td>
                      <td className="num">{formatCount(l.roomsOpened, locale)}</td>
                      <td className="num">{formatCount(l.dealsCreated, locale)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </div>
  );
}
