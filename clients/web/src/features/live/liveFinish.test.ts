import { describe, expect, it } from 'vitest';
import { translatorFor } from '../../i18n';
import { authorLabel } from './components/Floor';
import { viewerKey } from './useLiveSession';

describe('authorLabel', () => {
  const t = translatorFor('en');
  it('shows the display name and organization, and says which one is me', () => {
    const actor = { userId: 'u-1234', role: 'viewer', name: 'Li Wei', organization: 'Qingdao Mills' };
    expect(authorLabel(actor, undefined, t)).toBe('Li Wei · Qingdao Mills');
    expect(authorLabel(actor, 'u-1234', t)).toBe('Li Wei · Qingdao Mills (you)');
    expect(authorLabel({ userId: 'abcd-9', role: 'host', name: null, organization: null }, undefined, t)).toBe('Host');
    expect(authorLabel({ userId: 'abcd-9', role: 'viewer', organization: 'Qingdao Mills' }, undefined, t)).toBe('Viewer abcd · Qingdao Mills');
  });
});

describe('viewerKey', () => {
  it('keeps one random key per browser and replaces a tampered one', () => {
    const held = new Map<string, string>();
    const storage = { getItem: (k: string) => held.get(k) ?? null, setItem: (k: string, v: string) => void held.set(k, v) };
    const first = viewerKey(storage);
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    expect(viewerKey(storage)).toBe(first);
    held.set('scoda.live.viewerKey', '<script>');
    expect(viewerKey(storage)).not.toBe('<script>');
    expect(viewerKey(null)).toBeNull();
  });
});
