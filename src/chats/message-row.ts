/**
 * A stored message as this code reads it from the `messages` table: the one row type of that
 * table, for the chat history, the writer, the real-time gap fill, the moderators' evidence and
 * the data export (each picks the columns it selects). `chat_id`, `sender_id` and `sent_at` are
 * nullable in the seed's DDL but never NULL in a stored message: the writer always sets them (the
 * column defaults and the append function), and deleting an account deletes its messages.
 */
export interface MessageRow {
  id: number;
  chat_id: number;
  sender_id: number;
  content: string;
  sent_at: Date;
  client_msg_id: string | null;
}

/** The columns the chat history and the moderators' evidence show. */
export type MessageSummaryRow = Pick<MessageRow, 'id' | 'sender_id' | 'content' | 'sent_at'>;
