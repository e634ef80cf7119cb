// Real-time connections: notifications now; negotiations and live sessions to come.
import { HubConnectionBuilder, LogLevel, type HubConnection } from '@microsoft/signalr';

/**
 * Creates (but does not start) a SignalR connection to a hub of the same origin,
 * e.g. createHubConnection('/hubs/negotiations'). The auth cookie goes along.
 */
export function createHubConnection(hubPath: string): HubConnection {
  return new HubConnectionBuilder()
    .withUrl(hubPath, { withCredentials: true })
    .withAutomaticReconnect()
    .configureLogging(LogLevel.Warning)
    .build();
}
