import { useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { Field } from '../../../components/Field';
import { useI18n } from '../../../i18n';

/** How often this client tells the room that the user is typing. */
const typingEveryMs = 3000;

export function DeclineButton({ busy, onDecline }: { busy: boolean; onDecline: (reason: string) => Promise<boolean> }) {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  if (!asking) {
    return (
      <button type="button" className="button button-danger" data-testid="offer-decline" disabled={busy} onClick={() => setAsking(true)}>
        {t('negotiation.decline')}
      </button>
    );
  }
  return (
    <form
      className="toolbar-group decline-form"
      onSubmit={(e) => {
        e.preventDefault();
        void onDecline(reason.trim()).then((ok) => ok && setAsking(false));
      }}
    >
      <Field
        id="decline-reason"
        label={t('negotiation.declineReason')}
        name="decline-reason"
        data-testid="decline-reason"
        maxLength={500}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        autoFocus
      />
      <button type="submit" className="button button-danger" data-testid="offer-decline-confirm" disabled={busy}>
        {t('negotiation.declineConfirm')}
      </button>
      <button type="button" className="button button-ghost" onClick={() => setAsking(false)}>
        {t('negotiation.cancel')}
      </button>
    </form>
  );
}

export function MessageComposer({ onSend, onTyping }: { onSend: (clientMessageId: string, text: string) => Promise<boolean>; onTyping: () => void }) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  // A failed send keeps its id, so retrying the same text cannot store the message twice.
  const pending = useRef<{ id: string; text: string } | null>(null);
  const lastTyping = useRef(0);

  async function send() {
    const message = text.trim();
    if (!message || sending) return;
    if (pending.current?.text !== message) pending.current = { id: crypto.randomUUID(), text: message };
    setSending(true);
    const sent = await onSend(pending.current.id, message);
    setSending(false);
    if (sent) {
      pending.current = null;
      setText('');
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    void send();
  }

  // Enter sends, Shift+Enter starts a new line (not while an input method is composing).
  function keyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void send();
    }
  }

  return (
    <form className="message-composer" onSubmit={submit}>
      <label htmlFor="room-message" className="visually-hidden">
        {t('negotiation.message')}
      </label>
      <textarea
        id="room-message"
        name="message"
        data-testid="message-input"
        placeholder={t('negotiation.messagePlaceholder')}
        maxLength={4000}
        rows={2}
        value={text}
        onKeyDown={keyDown}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim() && Date.now() - lastTyping.current >= typingEveryMs) {
            lastTyping.current = Date.now();
            onTyping();
          }
        }}
      />
      <button type="submit" className="button button-primary" data-testid="message-send" disabled={sending || !text.trim()}>
        {t('negotiation.send')}
      </button>
    </form>
  );
}
