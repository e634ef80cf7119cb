// The session's talk: chat and the question board, with the host's and moderators' controls beside each item.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, type LiveEvent, type LiveQuestion } from '../../../api';
import { useAuth } from '../../../auth';
import { formatDateTime } from '../../../format';
import { useI18n, type Translate } from '../../../i18n';

export type Moderation = {
  hide: (sequence: number) => void;
  mute: (userId: string) => void;
  answer?: (questionId: string, text: string) => Promise<boolean>;
};

/**
 * Who wrote: their display name and organization when they have them ("Li Wei · Qingdao Grain Imports"), else "you",
 * the host, a moderator, or a viewer told apart by the start of their id.
 */
export function authorLabel(actor: LiveEvent['actor'] | { userId: string; role?: string; name?: string | null; organization?: string | null }, meId: string | undefined, t: Translate): string {
  if (!actor) return t('live.author.system');
  const mine = !!meId && actor.userId === meId;
  const name = actor.name?.trim() || null;
  const organization = actor.organization?.trim() || null;
  if (name || organization) {
    const who = name ?? (actor.role === 'host' ? t('live.author.host') : actor.role === 'moderator' ? t('live.author.moderator') : t('live.author.viewer', { id: actor.userId.slice(0, 4) }));
    const label = organization ? t('live.author.named', { name: who, organization }) : who;
    return mine ? t('live.author.youNamed', { label }) : label;
  }
  if (mine) return t('live.author.you');
  if (actor.role === 'host') return t('live.author.host');
  if (actor.role === 'moderator') return t('live.author.moderator');
  return t('live.author.viewer', { id: actor.userId.slice(0, 4) });
}

/** The name others see beside the signed-in person's messages (their display name), set here. */
export function DisplayNameBox() {
  const { t } = useI18n();
  const { me } = useAuth();
  const [name, setName] = useState(me?.displayName ?? '');
  const [state, setState] = useState<'idle' | 'busy' | 'saved' | 'failed'>('idle');
  async function submit(e: FormEvent) {
    e.preventDefault();
    setState('busy');
    try {
      const saved = await api.setDisplayName(name.trim() || null);
      setName(saved.displayName ?? '');
      setState('saved');
    } catch {
      setState('failed');
    }
  }
  return (
    <form className="message-composer small" onSubmit={submit} data-testid="display-name-form">
      <label htmlFor="live-display-name">{t('live.author.nameLabel')}</label>{' '}
      <input id="live-display-name" data-testid="display-name-input" value={name} maxLength={60} onChange={(e) => setName(e.target.value)} />
      <button type="submit" className="button button-small" disabled={state === 'busy'} data-testid="display-name-save">
        {t('live.author.nameSave')}
      </button>
      {state === 'saved' && <span className="muted"> {t('live.author.nameSaved')}</span>}
      {state === 'failed' && <span className="notice-warning"> {t('live.author.nameFailed')}</span>}
    </form>
  );
}

/** The host's (or a moderator's) badge beside their name. */
function RoleBadge({ role }: { role: string | undefined }) {
  const { t } = useI18n();
  if (role !== 'host' && role !== 'moderator') return null;
  return (
    <span className="badge badge-verified" data-testid="author-badge">
      {role === 'host' ? t('live.author.host') : t('live.author.moderator')}
    </span>
  );
}

function newClientId(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/** A one-line composer; the client message id is kept for a retry of the same text and renewed once it is stored. */
function Composer({
  testId,
  label,
  maxLength,
  onSend,
}: {
  testId: string;
  label: string;
  maxLength: number;
  onSend: (clientMessageId: string, text: string) => Promise<boolean>;
}) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const clientId = useRef(newClientId());
  async function submit(e: FormEvent) {
    e.preventDefault();
    const trimmed = text.trim();
    if (!trimmed) return;
    setBusy(true);
    if (await onSend(clientId.current, trimmed)) {
      setText('');
      clientId.current = newClientId();
    }
    setBusy(false);
  }
  return (
    <form className="message-composer" onSubmit={submit} data-testid={`${testId}-form`}>
      <label htmlFor={`${testId}-input`} className="visually-hidden">
        {label}
      </label>
      <input
        id={`${testId}-input`}
        data-testid={`${testId}-input`}
        value={text}
        maxLength={maxLength}
        placeholder={label}
        onChange={(e) => setText(e.target.value)}
      />
      <button type="submit" className="button button-primary" data-testid={`${testId}-send`} disabled={busy || !text.trim()}>
        {t('live.send')}
      </button>
    </form>
  );
}

export function Chat({
  chat,
  meId,
  canWrite,
  onSend,
  moderation,
}: {
  chat: readonly LiveEvent[];
  meId: string | undefined;
  canWrite: boolean;
  onSend: (clientMessageId: string, text: string) => Promise<boolean>;
  moderation: Moderation | null;
}) {
  const { t, locale } = useI18n();
  const list = useRef<HTMLOListElement | null>(null);
  useEffect(() => {
    if (list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [chat.length]);
  return (
    <section className="panel live-chat" aria-labelledby="live-chat-title">
      <h2 id="live-chat-title">{t('live.chat')}</h2>
      <ol className="timeline live-chat-list" ref={list} data-testid="live-chat">
        {chat.map((m) => (
          <li key={m.sequence} className="timeline-event" data-testid="chat-message" data-sequence={m.sequence} data-hidden={m.hidden || undefined}>
            <div className="muted timeline-meta">
              <RoleBadge role={m.actor?.role} /> <span data-testid="chat-author">{authorLabel(m.actor, meId, t)}</span> ·{' '}
              <time dateTime={m.at}>{formatDateTime(m.at, locale)}</time>
              {moderation && m.actor && m.actor.userId !== meId && (
                <>
                  {' '}
                  <button type="button" className="link-button small" data-testid="chat-hide" onClick={() => moderation.hide(m.sequence)}>
                    {t('live.hide')}
                  </button>{' '}
                  {m.actor.role === 'viewer' && (
                    <button type="button" className="link-button small" data-testid="chat-mute" onClick={() => moderation.mute(m.actor!.userId)}>
                      {t('live.mute')}
                    </button>
                  )}
                </>
              )}
            </div>
            <span className="message-text">{String(m.payload['text'] ?? '')}</span>
          </li>
        ))}
        {chat.length === 0 && <li className="muted">{t('live.chat.empty')}</li>}
      </ol>
      {canWrite && <Composer testId="chat" label={t('live.chat.placeholder')} maxLength={500} onSend={onSend} />}
    </section>
  );
}

export function QuestionBoard({
  questions,
  meId,
  canWrite,
  onAsk,
  onUpvote,
  moderation,
}: {
  questions: readonly LiveQuestion[];
  meId: string | undefined;
  canWrite: boolean;
  onAsk: (clientMessageId: string, text: string) => Promise<boolean>;
  onUpvote: (questionId: string) => void;
  moderation: Moderation | null;
}) {
  const { t } = useI18n();
  return (
    <section className="panel live-questions" aria-labelledby="live-questions-title">
      <h2 id="live-questions-title">{t('live.questions')}</h2>
      {canWrite && <Composer testId="question" label={t('live.questions.placeholder')} maxLength={500} onSend={onAsk} />}
      <ol className="plain-list live-question-list" data-testid="question-board">
        {questions.map((q) => (
          <li key={q.id} className="live-question" data-testid="question" data-question-id={q.id} data-votes={q.votes} data-answered={q.answer !== null}>
            <div className="live-question-votes">
              <button
                type="button"
                className="button button-small"
                data-testid="question-upvote"
                aria-pressed={q.votedByMe}
                aria-label={t('live.questions.upvote')}
                disabled={!canWrite || q.votedByMe || q.askedBy === meId}
                onClick={() => onUpvote(q.id)}
              >
                ▲ <span data-testid="question-votes">{q.votes}</span>
              </button>
            </div>
            <div className="live-question-body">
              <p className="muted small" data-testid="question-author">
                <RoleBadge role={q.author?.role} /> {authorLabel(q.author ?? { userId: q.askedBy }, meId, t)}
              </p>
              <p className="message-text" data-testid="question-text">
                {q.text}
              </p>
              {q.answer !== null ? (
                <p className="live-answer" data-testid="question-answer">
                  <span className="badge badge-verified">{t('live.questions.answered')}</span> {q.answer}
                </p>
              ) : (
                moderation?.answer && <AnswerForm questionId={q.id} onAnswer={moderation.answer} />
              )}
              {moderation && (
                <div className="small">
                  <button type="button" className="link-button" data-testid="question-hide" onClick={() => moderation.hide(q.sequence)}>
                    {t('live.hide')}
                  </button>{' '}
                  {q.askedBy !== meId && (
                    <button type="button" className="link-button" data-testid="question-mute" onClick={() => moderation.mute(q.askedBy)}>
                      {t('live.mute')}
                    </button>
                  )}
                </div>
              )}
            </div>
          </li>
        ))}
        {questions.length === 0 && <li className="muted">{t('live.questions.empty')}</li>}
      </ol>
    </section>
  );
}

function AnswerForm({ questionId, onAnswer }: { questionId: string; onAnswer: (questionId: string, text: string) => Promise<boolean> }) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    if (await onAnswer(questionId, text.trim())) setText('');
    setBusy(false);
  }
  return (
    <form className="message-composer" onSubmit={submit} data-testid="answer-form">
      <label htmlFor={`answer-${questionId}`} className="visually-hidden">
        {t('live.answer')}
      </label>
      <input
        id={`answer-${questionId}`}
        data-testid="answer-input"
        value={text}
        maxLength={2000}
        placeholder={t('live.answer')}
        onChange={(e) => setText(e.target.value)}
      />
      <button type="submit" className="button button-small" data-testid="answer-send" disabled={busy || !text.trim()}>
        {t('live.answer.send')}
      </button>
    </form>
  );
}
