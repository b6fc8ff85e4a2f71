import type { Server, Socket } from 'socket.io';
import type { MessageView } from '../chats/chats.schemas.js';

/** The Socket.IO contract (docs/api.md, "Real time"): event names, payloads and acks. */

export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: string };
type AckFn<T extends object = object> = (response: Ack<T>) => void;

export interface ClientToServerEvents {
  sendMessage: (payload: unknown, ack?: AckFn<{ message: MessageView }>) => void;
  markRead: (payload: unknown, ack?: AckFn) => void;
  typing: (payload: unknown, ack?: AckFn) => void;
}

export interface PersonView {
  user_id: number;
  name: string;
  profile_img_url: string | null;
}

export interface ServerToClientEvents {
  newMessage: (message: MessageView) => void;
  messagesRead: (event: { chat_id: number; user_id: number; message_id: number }) => void;
  typing: (event: { chat_id: number; user_id: number }) => void;
  matchRequested: (event: {
    match_id: number;
    requester: PersonView & { age: number };
    compatibility_score: number;
  }) => void;
  matchAccepted: (event: { match_id: number; chat_id: number; partner: PersonView }) => void;
}

/** Between server processes (through the adapter), never seen by clients. */
export interface InterServerEvents {
  'chat:newMessages': (batch: WireMessage[]) => void;
  /** "I am here" (socket-delivery.ts PeerPresence). */
  'chat:peer': () => void;
}

/** A stored message on its way to other processes, with its place in the chat's order. */
export interface WireMessage {
  message: MessageView;
  memberIds: [number, number];
  prevId: number | null;
  /** The previous message was sent shortly before this one: it may still be on its way. */
  prevRecent: boolean;
}

export interface SocketData {
  userId: number;
  sessionId: number;
  expiresAt: number;
}

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** Every socket joins its user's room (fan-out, match events) and its login session's room
 * (logout disconnects exactly that session's sockets, on every process). */
export const userRoom = (userId: number) => `user:${userId}`;
export const sessionRoom = (sessionId: number) => `session:${sessionId}`;
