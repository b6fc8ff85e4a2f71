import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { memberRooms } from './lib/chat-rooms.js';

// Baseline for `npm run bench -- chat`: bare Socket.IO doing what the app does per message minus
// the database and validation — ack the sender, broadcast to both members' rooms. Users and chats
// follow the bench's numbering: chat c has members 2c-1 and 2c; a client says who it is.
const http = createServer();
const io = new Server(http, { transports: ['websocket'], serveClient: false });
let nextId = 0;
io.on('connection', (socket) => {
  void socket.join(`user:${Number(socket.handshake.auth.userId)}`);
  socket.on('sendMessage', (payload: { chat_id: number; content: string; client_msg_id?: string }, ack: (r: unknown) => void) => {
    const message = {
      message_id: ++nextId,
      chat_id: payload.chat_id,
      sender_id: Number(socket.handshake.auth.userId),
      content: payload.content,
      sent_at: new Date().toISOString(),
      client_msg_id: payload.client_msg_id ?? null,
    };
    ack({ ok: true, message });
    io.to(memberRooms(payload.chat_id)).emit('newMessage', message);
  });
});
http.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('LISTENING'));
process.on('SIGTERM', () => process.exit(0));
