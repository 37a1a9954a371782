// The services' clock as the app knows it: the offset (service − this
// computer, from the `Date` of their answers; `service_clock`). Expiries the
// services set (a user JWT's, a signed video JWT's) count down by it.

let offsetMs = 0;

/** Sets the offset learned by the last service check; `null`: not known (no offset). */
export function setServiceClockOffset(seconds: number | null): void {
  offsetMs = (seconds ?? 0) * 1000;
}

/** An instant on the service's clock (epoch ms) as this computer's clock reads it. */
export function onLocalClock(serviceMs: number): number {
  return serviceMs - offsetMs;
}
