import { io, type Socket } from 'socket.io-client';
import { createApiClient, type ClientToServerEvents, type ServerToClientEvents } from '../client/index.js';

/** The README's example: log in, list chats, send a message over Socket.IO. */
export async function example(baseUrl: string, email: string, password: string): Promise<number | null> {
  const session: { token?: string } = {};
  const api = createApiClient(baseUrl, () => session.token);

  const { data: login, error } = await api.POST('/api/users/login', { body: { email, password } });
  if (error) throw new Error(error.error);
  session.token = login.access_token;

  const { data: chats = [] } = await api.GET('/api/chats');
  const chat = chats[0];
  if (!chat) return null;
  console.log(`${chat.partner.name}: ${chat.last_message?.content ?? '(no messages yet)'} — ${chat.unread_count} unread`);

  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(baseUrl, {
    auth: { token: session.token },
    transports: ['websocket'],
  });
  socket.on('newMessage', (m) => console.log(`[${m.chat_id}] ${m.sender_id}: ${m.content}`));
  try {
    const ack = await socket
      .timeout(5000)
      .emitWithAck('sendMessage', { chat_id: chat.chat_id, content: '안녕하세요!', client_msg_id: crypto.randomUUID() });
    if (!ack.ok) throw new Error(ack.error);
    return ack.message.message_id;
  } finally {
    socket.close();
  }
}
