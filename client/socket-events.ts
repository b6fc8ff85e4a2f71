/**
 * Socket.IO events of the saju dating API, as a client sees them (README "Chat and real time").
 * Use with socket.io-client: `const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url, …)`.
 */

export interface SocketMessage {
  message_id: number;
  chat_id: number;
  sender_id: number;
  content: string;
  /** ISO 8601, UTC. */
  sent_at: string;
  client_msg_id: string | null;
}

export interface SocketPerson {
  user_id: number;
  name: string;
  profile_img_url: string | null;
}

/** Every acknowledgement: `{ ok: true, … }` or `{ ok: false, error }`. */
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: string };

export interface ClientToServerEvents {
  /** Acked only after the message is durably stored; resend with the same client_msg_id after a timeout. */
  sendMessage: (
    payload: { chat_id: number; content: string; client_msg_id?: string },
    ack: (response: Ack<{ message: SocketMessage }>) => void,
  ) => void;
  /** Moves my read mark (default: to the newest message); the partner receives `messagesRead`. */
  markRead: (payload: { chat_id: number; message_id?: number }, ack?: (response: Ack) => void) => void;
  /** Relayed to the partner, not stored. */
  typing: (payload: { chat_id: number }, ack?: (response: Ack) => void) => void;
}

export interface ServerToClientEvents {
  /** To every socket of both participants (the sender's other devices too), per chat in message_id order. */
  newMessage: (message: SocketMessage) => void;
  messagesRead: (event: { chat_id: number; user_id: number; message_id: number }) => void;
  typing: (event: { chat_id: number; user_id: number }) => void;
  matchRequested: (event: { match_id: number; requester: SocketPerson & { age: number }; compatibility_score: number }) => void;
  matchAccepted: (event: { match_id: number; chat_id: number; partner: SocketPerson }) => void;
}
