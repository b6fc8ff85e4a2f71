import type { EventBus } from '../lib/events.js';
import { sessionRoom, userRoom, type IoServer } from './socket-events.js';

/**
 * Domain events → sockets. The bus is in-process (the process that handled the request), but
 * `io.to(room)` and `io.in(room).disconnectSockets()` go through the adapter, so they reach the
 * room's sockets on every process. Returns the unsubscribe function.
 */
export function relayDomainEvents(io: IoServer, events: EventBus): () => void {
  const stops = [
    events.subscribe('matchRequested', (e) => {
      io.to(userRoom(e.receiverId)).emit('matchRequested', {
        match_id: e.matchId,
        requester: {
          user_id: e.requester.user_id,
          name: e.requester.name,
          age: e.requester.age,
          profile_img_url: e.requester.profile_img_url,
        },
        compatibility_score: e.compatibilityScore,
      });
    }),
    events.subscribe('matchAccepted', (e) => {
      io.to(userRoom(e.requesterId)).emit('matchAccepted', {
        match_id: e.matchId,
        chat_id: e.chatId,
        partner: { user_id: e.partner.user_id, name: e.partner.name, profile_img_url: e.partner.profile_img_url },
      });
    }),
    // Logout (or refresh-token reuse) ends that login's sockets; deletion ends all of the user's;
    // a password change all but the caller's own login's, a suspension all of them.
    events.subscribe('sessionRevoked', (e) => io.in(sessionRoom(e.sessionId)).disconnectSockets(true)),
    events.subscribe('userSessionsRevoked', (e) => {
      const sockets = io.in(userRoom(e.userId));
      (e.exceptSessionId === null ? sockets : sockets.except(sessionRoom(e.exceptSessionId))).disconnectSockets(true);
    }),
    events.subscribe('userDeleted', (e) => io.in(userRoom(e.userId)).disconnectSockets(true)),
  ];
  return () => stops.forEach((stop) => stop());
}
