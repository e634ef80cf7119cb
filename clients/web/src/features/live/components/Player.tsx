import { useEffect, useRef, useState } from 'react';
import type { StreamKind } from '../../../api';
import { useI18n } from '../../../i18n';

/**
 * The session's stream: an HLS playlist in a <video> (the browser's own HLS where it has it, else hls.js, loaded only
 * then), or an allowed player page in a sandboxed iframe. The server checked the URL against its allow-list; the
 * client still shows only https (or same-origin) addresses.
 */
export function Player({ url, kind, title }: { url: string; kind: StreamKind; title: string }) {
  const { t } = useI18n();
  if (!safeUrl(url)) return <p className="notice notice-warning">{t('live.player.unavailable')}</p>;
  return kind === 'embed' ? <EmbedPlayer url={url} title={title} /> : <HlsPlayer url={url} title={title} />;
}

/** https, or the app's own origin (a test or a local packager); never javascript:, data: or plain http elsewhere. */
export function safeUrl(url: string): boolean {
  try {
    const parsed = new URL(url, window.location.origin);
    return parsed.protocol === 'https:' || parsed.origin === window.location.origin;
  } catch {
    return false;
  }
}

function EmbedPlayer({ url, title }: { url: string; title: string }) {
  return (
    <div className="live-player">
      {/* Scripts run only inside the player's own (cross-origin) page: no top navigation, popups, forms or downloads. */}
      <iframe
        data-testid="live-embed"
        src={url}
        title={title}
        sandbox="allow-scripts allow-same-origin allow-presentation"
        allow="autoplay; fullscreen; picture-in-picture; encrypted-media"
        referrerPolicy="strict-origin-when-cross-origin"
        loading="lazy"
      />
    </div>
  );
}

function HlsPlayer({ url, title }: { url: string; title: string }) {
  const { t } = useI18n();
  const video = useRef<HTMLVideoElement | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const element = video.current;
    if (!element) return;
    setFailed(false);
    if (element.canPlayType('application/vnd.apple.mpegurl')) {
      element.src = url;
      return () => {
        element.removeAttribute('src');
        element.load();
      };
    }
    let stop = () => undefined as void;
    let cancelled = false;
    void import('hls.js')
      .then(({ default: Hls }) => {
        if (cancelled) return;
        if (!Hls.isSupported()) {
          setFailed(true);
          return;
        }
        const hls = new Hls({ lowLatencyMode: true });
        hls.on(Hls.Events.ERROR, (_event, data) => {
          if (data.fatal) setFailed(true);
        });
        hls.loadSource(url);
        hls.attachMedia(element);
        stop = () => hls.destroy();
      })
      .catch(() => !cancelled && setFailed(true));
    return () => {
      cancelled = true;
      stop();
    };
  }, [url]);
  return (
    <div className="live-player">
      <video ref={video} data-testid="live-video" controls playsInline muted autoPlay aria-label={title} />
      {failed && <p className="notice notice-warning">{t('live.player.failed')}</p>}
    </div>
  );
}
