/**
 * Everything the chaos run starts is registered here the moment it exists, and torn down
 * synchronously (so that the same code serves a normal end, a failure, a global timeout and a
 * signal), newest first: servers before the services they use, the temp dir last.
 */
export class Cleanups {
  private readonly steps: Array<{ name: string; run: () => void }> = [];
  private done = false;

  add(name: string, run: () => void): void {
    this.steps.push({ name, run });
  }

  runAll(): void {
    if (this.done) return;
    this.done = true;
    for (const step of this.steps.reverse()) {
      try {
        step.run();
      } catch (error) {
        console.error(`cleanup "${step.name}" failed:`, error instanceof Error ? error.message : error);
      }
    }
  }
}
