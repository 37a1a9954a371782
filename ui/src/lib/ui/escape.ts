// Escape cancels an inline form: the handler for its `onkeydown`, which keeps
// the key from reaching an enclosing dialog or page.
export function escapeCancels(cancel: () => void): (event: KeyboardEvent) => void {
  return (event) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      cancel();
    }
  };
}
