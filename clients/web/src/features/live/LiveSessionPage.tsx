import { useEffect, useState } from 'react';
import { api, type LiveEvent, type LiveInterest, type LiveInterestInput, type LiveQuote, type LiveSession } from '../../api';
import { useAuth } from '../../auth';
import { FormErrors } from '../../components/FormErrors';
import { countryName } from '../../countries';
import { errorMessages } from '../../errors';
import { formatAmountUnit, formatCount, formatDateTime, formatPrice, localized } from '../../format';
import { usePageTitle } from '../../hooks/usePageTitle';
import { useI18n, type Translate } from '../../i18n';
import { Link, navigate } from '../../router';
import { Chat, DisplayNameBox, QuestionBoard, type Moderation } from './components/Floor';
import { PinnedCard } from './components/PinnedCard';
import { Player } from './components/Player';
import { LiveStatusBadge, RegisterBox } from './components/SessionBits';
import { useLiveSession, type LiveFailure } from './useLiveSession';

/** A refused call in the user's words: the server's detail, or what a code means when it gave none. */
function failureText(failure: LiveFailure, t: Translate): string {
  switch (failure.code) {
    case 'offline':
      return t('live.error.offline');
    case 'unauthorized':
      return t('live.error.signIn');
    case 'full':
      return t('live.error.full');
    case 'rate_limited':
      return t('live.error.slowDown');
    default:
      return failure.detail || t('live.error.failed');
  }
}

export function LiveSessionPage({ id }: { id: string }) {
  const { t, lang, locale } = useI18n();
  const { me } = useAuth();
  const live = useLiveSession(id, me?.id);
  const [loaded, setLoaded] = useState<LiveSession | null>(null);
  const [loadErrors, setLoadErrors] = useState<string[]>([]);
  const [errors, setErrors] = useState<string[]>([]);
  const session = live.session ?? loaded;
  usePageTitle(session ? localized(session.title, lang) : t('live.title'));

  // The session over HTTP too: the page shows it even when the hub refuses (full) or cannot connect.
  useEffect(() => {
    const controller = new AbortController();
    api
      .liveSession(id, controller.signal)
      .then(setLoaded)
      .catch((e: unknown) => !controller.signal.aborted && setLoadErrors(errorMessages(e, t)));
    return () => controller.abort();
    // The language does not reload the session.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);

  if (!session) {
    return (
      <div className="page">
        <p className="breadcrumbs">
          <Link to="/live">{t('live.back')}</Link>
        </p>
        <h1>{t('live.title')}</h1>
        {loadErrors.length ? <FormErrors messages={loadErrors} /> : <p className="muted">{t('app.loading')}</p>}
        {live.failure && <FormErrors messages={[failureText(live.failure, t)]} />}
      </div>
    );
  }

  const board = live.board;
  const status = board?.status ?? session.status;
  const isLive = status === 'live';
  const moderator = live.role === 'host' || live.role === 'moderator';
  const canTakePart = !!me && isLive && !board?.muted && live.connection === 'live';
  const title = localized(session.title, lang);
  const url = status === 'ended' && session.replayUrl ? session.replayUrl : session.streamUrl;

  async function call(method: string, ...args: unknown[]): Promise<boolean> {
    setErrors([]);
    const { failure } = await live.invoke(method, id, ...args);
    if (failure) setErrors([failureText(failure, t)]);
    return !failure;
  }

  async function quote(listingId: string): Promise<string[] | null> {
    const { result, failure } = await live.invoke<LiveQuote>('RequestQuote', id, listingId);
    if (failure || !result) return [failure ? failureText(failure, t) : t('live.error.failed')];
    navigate(`/negotiations/${encodeURIComponent(result.roomId)}`);
    return null;
  }

  async function interest(listingId: string, input: LiveInterestInput): Promise<string[] | null> {
    const { failure } = await live.invoke('ExpressInterest', id, listingId, input.quantity, input.priceHint, input.validUntil);
    return failure ? [failureText(failure, t)] : null;
  }

  const moderation: Moderation | null =
    moderator && isLive
      ? {
          hide: (sequence) => void call('HideItem', sequence),
          mute: (userId) => void call('MuteUser', userId),
          answer: live.role === 'host' ? (questionId, text) => call('AnswerQuestion', questionId, text) : undefined,
        }
      : null;

  return (
    <div className="page live-page">
      <p className="breadcrumbs">
        <Link to="/live">{t('live.back')}</Link>
      </p>
      <div className="page-toolbar">
        <div className="page-header">
          <p className="eyebrow">
            {t('live.eyebrow', { country: countryName(session.countryCode, locale) })} · {formatDateTime(session.startsAt, locale)} –{' '}
            {formatDateTime(session.endsAt, locale)}
          </p>
          <h1 data-testid="live-title">{title}</h1>
        </div>
        <div className="toolbar-group">
          <LiveStatusBadge status={status} />
          <span className="badge" data-testid="viewer-count" data-count={live.viewers}>
            {t('live.viewers', { n: formatCount(live.viewers, locale) })}
          </span>
          <span className={`badge connection-${live.connection}`} data-testid="live-connection" data-state={live.connection} role="status">
            {t(`live.connection.${live.connection}`)}
          </span>
        </div>
      </div>

      {live.connection === 'offline' && (
        <div className="notice notice-error toolbar-panel" data-testid="live-offline">
          <span>{live.failure ? failureText(live.failure, t) : t('live.error.offline')}</span>
          <button type="button" className="button button-small" onClick={live.retry}>
            {t('live.retry')}
          </button>
        </div>
      )}
      {live.caughtUp !== null && live.caughtUp > 0 && (
        <p className="notice notice-info" data-testid="live-caught-up">
          {t('live.caughtUp', { n: live.caughtUp })}
        </p>
      )}
      {!me && (
        <p className="notice notice-info" data-testid="live-sign-in">
          {t('live.signInInvite')}{' '}
          <Link to={`/signin?next=${encodeURIComponent(`/live/${id}`)}`}>{t('nav.signIn')}</Link>
        </p>
      )}
      {board?.muted && <p className="notice notice-warning" data-testid="live-muted">{t('live.mutedNotice')}</p>}
      {status === 'cancelled' && (
        <p className="notice notice-warning">
          {t('live.cancelledNotice')} {session.cancelReason}
        </p>
      )}
      <FormErrors messages={errors} />

      {moderator && (
        <HostConsole
          session={session}
          role={live.role}
          status={status}
          viewers={live.viewers}
          questions={board?.questions ?? []}
          interests={board?.interests ?? {}}
          pinnedId={board?.pinned?.id ?? null}
          onPin={(listingId) => call('PinListing', listingId)}
          onMove={(events) => live.receive(events)}
        />
      )}

      <div className="live-layout">
        <div className="live-main">
          <Player url={url} kind={session.streamKind} title={title} />
          {localized(session.description, lang) && <p className="prewrap">{localized(session.description, lang)}</p>}
          {status === 'scheduled' && <RegisterBox session={session} onChange={(s) => live.setSession(s)} />}
          {board?.pinned ? (
            <PinnedCard
              listing={board.pinned}
              interests={board.interests[board.pinned.id] ?? 0}
              actions={
                me && !moderator
                  ? { canAct: canTakePart, onQuote: () => quote(board.pinned!.id), onInterest: (input) => interest(board.pinned!.id, input) }
                  : null
              }
            />
          ) : (
            isLive && <p className="panel muted">{t('live.pinned.none')}</p>
          )}
          <FeaturedList session={session} />
          {!moderator && me && session.featuredListings.some((l) => me.organizations.some((o) => o.id === l.seller.id)) && (
            <p>
              <Link to={`/live/${encodeURIComponent(id)}/report`} className="button button-small" data-testid="exporter-report">
                {t('live.report.yours')}
              </Link>
            </p>
          )}
          {me && <InterestsPanel sessionId={id} refreshKey={Object.values(board?.interests ?? {}).reduce((a, b) => a + b, 0)} />}
        </div>
        <aside className="live-side">
          <QuestionBoard
            questions={board?.questions ?? []}
            meId={me?.id}
            canWrite={canTakePart}
            onAsk={(clientMessageId, text) => call('AskQuestion', clientMessageId, text)}
            onUpvote={(questionId) => void call('UpvoteQuestion', questionId)}
            moderation={moderation}
          />
          {canTakePart && <DisplayNameBox />}
          <Chat
            chat={board?.chat ?? []}
            meId={me?.id}
            canWrite={canTakePart}
            onSend={(clientMessageId, text) => call('SendChat', clientMessageId, text)}
            moderation={moderation}
          />
        </aside>
      </div>
    </div>
  );
}

/** The host's (and moderators') controls: start and end, which listing is pinned, and the live counters. */
function HostConsole({
  session,
  role,
  status,
  viewers,
  questions,
  interests,
  pinnedId,
  onPin,
  onMove,
}: {
  session: LiveSession;
  role: string;
  status: string;
  viewers: number;
  questions: readonly { answer: string | null }[];
  interests: Record<string, number>;
  pinnedId: string | null;
  onPin: (listingId: string) => Promise<boolean>;
  onMove: (events: LiveEvent[]) => void;
}) {
  const { t, lang, locale } = useI18n();
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const host = role === 'host';
  const answered = questions.filter((q) => q.answer !== null).length;
  const interestCount = Object.values(interests).reduce((a, b) => a + b, 0);

  async function move(action: 'start' | 'end' | 'cancel') {
    if (action === 'end' && !window.confirm(t('live.host.confirmEnd'))) return;
    let reason: string | null = null;
    if (action === 'cancel') {
      reason = window.prompt(t('live.host.cancelReason'));
      if (reason === null) return;
    }
    setBusy(true);
    setErrors([]);
    try {
      const moved =
        action === 'start'
          ? await api.startLiveSession(session.id)
          : action === 'end'
            ? await api.endLiveSession(session.id)
            : await api.cancelLiveSession(session.id, reason?.trim() || null);
      onMove([moved]);
    } catch (e) {
      setErrors(errorMessages(e, t));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel live-console" data-testid="host-console" aria-labelledby="host-console-title">
      <div className="panel-header">
        <h2 id="host-console-title">{t('live.host.title')}</h2>
        <div className="toolbar-group">
          {host && status === 'scheduled' && (
            <>
              <Link to={`/live/${encodeURIComponent(session.id)}/edit`} className="button button-small" data-testid="host-edit">
                {t('live.host.edit')}
              </Link>
              <button type="button" className="button button-danger" data-testid="host-cancel" disabled={busy} onClick={() => void move('cancel')}>
                {t('live.host.cancel')}
              </button>
              <button type="button" className="button button-primary" data-testid="host-start" disabled={busy} onClick={() => void move('start')}>
                {t('live.host.start')}
              </button>
            </>
          )}
          {host && status === 'live' && (
            <button type="button" className="button button-danger" data-testid="host-end" disabled={busy} onClick={() => void move('end')}>
              {t('live.host.end')}
            </button>
          )}
          <Link to={`/live/${encodeURIComponent(session.id)}/report`} className="button button-small button-ghost" data-testid="host-report">
            {t('live.report')}
          </Link>
        </div>
      </div>
      <FormErrors messages={errors} />
      <dl className="live-counters" data-testid="host-counters">
        <div>
          <dt>{t('live.host.viewers')}</dt>
          <dd data-testid="counter-viewers">{formatCount(viewers, locale)}</dd>
        </div>
        <div>
          <dt>{t('live.host.registrants')}</dt>
          <dd>{formatCount(session.registrants, locale)}</dd>
        </div>
        <div>
          <dt>{t('live.host.questions')}</dt>
          <dd data-testid="counter-questions">
            {formatCount(answered, locale)} / {formatCount(questions.length, locale)}
          </dd>
        </div>
        <div>
          <dt>{t('live.host.interests')}</dt>
          <dd data-testid="counter-interests">{formatCount(interestCount, locale)}</dd>
        </div>
      </dl>
      {host && status === 'live' && (
        <ul className="plain-list" data-testid="pin-list">
          {session.featuredListings.map((l) => (
            <li key={l.id} className="toolbar-group" data-testid="pin-row" data-listing-id={l.id}>
              <span>
                <strong>{localized(l.title, lang)}</strong> <span className="muted small">{l.seller.name} · {formatPrice(l.price, locale, t)}</span>
              </span>
              {pinnedId === l.id ? (
                <span className="badge badge-verified">{t('live.host.pinned')}</span>
              ) : (
                <button type="button" className="button button-small" data-testid="pin-button" onClick={() => void onPin(l.id)}>
                  {t('live.host.pin')}
                </button>
              )}
            </li>
          ))}
          {session.featuredListings.length === 0 && <li className="muted">{t('live.host.noFeatured')}</li>}
        </ul>
      )}
    </section>
  );
}

function FeaturedList({ session }: { session: LiveSession }) {
  const { t, lang, locale } = useI18n();
  if (session.featuredListings.length === 0) return null;
  return (
    <section className="panel">
      <h2>{t('live.featured')}</h2>
      <ul className="plain-list" data-testid="featured-listings">
        {session.featuredListings.map((l) => (
          <li key={l.id}>
            <Link to={`/listings/${encodeURIComponent(l.id)}`} className="strong">
              {localized(l.title, lang)}
            </Link>{' '}
            <span className="muted small">
              {l.seller.name} · {formatPrice(l.price, locale, t)}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Interest statements the caller may see (the host all, a seller those on its listings); sellers turn one into a first offer. */
function InterestsPanel({ sessionId, refreshKey }: { sessionId: string; refreshKey: number }) {
  const { t, locale } = useI18n();
  const { me } = useAuth();
  const [items, setItems] = useState<LiveInterest[]>([]);
  const [errors, setErrors] = useState<string[]>([]);
  useEffect(() => {
    const controller = new AbortController();
    api
      .liveSessionInterests(sessionId, controller.signal)
      .then(setItems)
      .catch(() => undefined);
    return () => controller.abort();
  }, [sessionId, refreshKey]);
  if (items.length === 0) return null;
  const mine = new Set((me?.organizations ?? []).map((o) => o.id));

  async function offer(interest: LiveInterest) {
    setErrors([]);
    try {
      const made = await api.offerFromInterest(sessionId, interest.id);
      navigate(`/negotiations/${encodeURIComponent(made.roomId)}`);
    } catch (e) {
      setErrors(errorMessages(e, t));
    }
  }

  return (
    <section className="panel" data-testid="interests-panel">
      <h2>{t('live.interests')}</h2>
      <FormErrors messages={errors} />
      <table className="table">
        <thead>
          <tr>
            <th scope="col" className="num">
              {t('live.interest.quantity')}
            </th>
            <th scope="col">{t('live.interest.priceHint')}</th>
            <th scope="col">{t('live.interest.validUntil')}</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {items.map((i) => (
            <tr key={i.id} data-testid="interest-row">
              <td className="num">{formatAmountUnit(i.quantity, i.unit, locale, t)}</td>
              <td>{i.priceHint ? formatPrice(i.priceHint, locale, t) : '—'}</td>
              <td>{formatDateTime(i.validUntil, locale)}</td>
              <td>
                {i.roomId ? (
                  <Link to={`/negotiations/${encodeURIComponent(i.roomId)}`}>{t('live.interest.room')}</Link>
                ) : (
                  mine.has(i.sellerOrganizationId) && (
                    <button type="button" className="button button-small" data-testid="interest-offer" onClick={() => void offer(i)}>
                      {t('live.interest.makeOffer')}
                    </button>
                  )
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
