// Hash routes (#/chats/12): the server serves one index.html and never needs to know the routes.
let renderer: () => void = () => undefined;

export function setRenderer(fn: () => void): void {
  renderer = fn;
}

export function navigate(hash: string): void {
  if (location.hash === hash) renderer();
  else location.hash = hash;
}
