import { describe, expect, it } from 'vitest';
import { liveFailure } from './useLiveSession';

describe('liveFailure', () => {
  it('reads the stable code and the detail SignalR wraps', () => {
    const error = new Error("An unexpected error occurred invoking 'SendChat' on the server. HubException: forbidden: You are muted in this session.");
    expect(liveFailure(error)).toEqual({ code: 'forbidden', detail: 'You are muted in this session.' });
  });

  it('knows the live hub codes beyond the negotiation hub’s', () => {
    expect(liveFailure(new Error('HubException: full: The session has 5000 viewers.')).code).toBe('full');
    expect(liveFailure(new Error('HubException: unauthorized: Sign in to take part.')).code).toBe('unauthorized');
  });

  it('keeps an uncoded failure as its text', () => {
    expect(liveFailure(new Error('WebSocket closed with status code: 1006'))).toEqual({ code: null, detail: 'WebSocket closed with status code: 1006' });
  });
});
