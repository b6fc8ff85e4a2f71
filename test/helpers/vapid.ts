/** A fixed VAPID key pair for tests and benchmarks (production requires configured keys; this
 * also keeps key files out of the data dir). Not a secret: it signs pushes to local fakes only. */
export const TEST_VAPID = {
  VAPID_PUBLIC_KEY: 'BM7hcyFKz-RcxtGuZHZA46cZ2zzqw9IbQ3cnPwI6GglNyVmFCGLvoe3lF50TWUPwpZ88-hxFXNZoQIb7wUgj004',
  VAPID_PRIVATE_KEY: 'ZjHXQjGEkA-mWeoB56Sh-VNv3iD97myJuZEaUFVYfC4',
  VAPID_SUBJECT: 'mailto:push-test@example.com',
} as const;
