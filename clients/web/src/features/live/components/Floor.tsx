// The session's talk: chat and the question board, with the host's and moderators' controls beside each item.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { LiveEvent, LiveQuestion } from '../../../api';
import { formatDateTime } from '../../../format';
import { useI18n, type Translate } from '../../../i18n';

export type Moderation = {
  hide: (sequence: number) => void;
  mute: (userId: string) => void;
  answer?: (questionId: string, text: string) => Promise<boolean>;
};

/** Who wrote: "you", the host, a moderator, or a viewer told apart by the start of their id. */
export function authorLabel(actor: LiveEvent['actor'] | { userId: string; role?: string }, meId: string | undefined, t: Translate): string {
  if (!actor) return t('live.author.system');
  if (meId && actor.userId === meId) return t('live.author.you');
  if (actor.role === 'host') return t('live.author.host');
  if (actor.role === 'moderator') return t('live.author.moderator');
  return t('live.author.viewer', { id: actor.userId.slice(0, 4) });
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
              {authorLabel(m.actor, meId, t)} · <time dateTime={m.at}>{formatDateTime(m.at, locale)}</time>
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
