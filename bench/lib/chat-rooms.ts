/** The chat bench's numbering (bare and durable floor servers): chat c has members 2c-1 and 2c,
 * each in its room `user:<id>`. */
export const memberRooms = (chatId: number): string[] => [`user:${chatId * 2 - 1}`, `user:${chatId * 2}`];
