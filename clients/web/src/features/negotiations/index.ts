// What other features may use of negotiations; the rest of the folder is its own.
export { NegotiateButton } from './components/NegotiateButton';
export { NegotiationsPage } from './NegotiationsPage';
export { NegotiationRoomPage } from './NegotiationRoomPage';
