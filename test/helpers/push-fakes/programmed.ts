/**
 * Programmed answers of a push-provider fake (failures, stalls): each one serves `times`
 * requests (default 1; Infinity allowed), for the device it names or, when it names none, for any.
 */
export class Programmed<T extends { times?: number | undefined }> {
  private readonly entries: Array<T & { times: number }> = [];

  /** `deviceOf`: the device (token, endpoint) an entry is for; undefined for every device. */
  constructor(private readonly deviceOf: (entry: T) => string | undefined = () => undefined) {}

  add(entry: T): void {
    this.entries.push({ ...entry, times: entry.times ?? 1 });
  }

  /** The first entry still due for `device`, now counted as served; undefined when none is. */
  take(device?: string): T | undefined {
    const entry = this.entries.find((e) => {
      const target = this.deviceOf(e);
      return e.times > 0 && (target === undefined || target === device);
    });
    if (entry) entry.times -= 1;
    return entry;
  }

  clear(): void {
    this.entries.length = 0;
  }
}
