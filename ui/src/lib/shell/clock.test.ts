// The services' clock two minutes ahead of this one: the shell says so above
// the page (the warning comes from `service_clock`, after the service check),
// and says nothing when the clocks agree.
import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import { appDefaults, mockBackend } from '../../test/backend';
import { onLocalClock, setServiceClockOffset } from '../ui/serviceClock';

const WARNING =
  "This computer's clock is 2 minutes behind the service's. Times here follow the service's clock; set this computer's clock right (automatic time) to avoid surprises elsewhere.";

describe('clock warning', () => {
  it('shows the warning when the service’s clock is two minutes off', async () => {
    mockBackend({ ...appDefaults, service_clock: () => ({ offsetSeconds: 120, warning: WARNING }) });
    render(App);
    const banner = await screen.findByTestId('clock-warning');
    expect(banner).toHaveTextContent("2 minutes behind the service's");
    expect(banner).toHaveAttribute('role', 'status');
    // Service-set expiries count down on this clock, moved by the offset.
    expect(onLocalClock(1_000_000)).toBe(1_000_000 - 120_000);
    setServiceClockOffset(null);
  });

  it('shows nothing when the clocks agree', async () => {
    const backend = mockBackend(appDefaults);
    render(App);
    await screen.findByTestId('tokens-table');
    await expect.poll(() => backend.count('service_clock')).toBe(1);
    expect(screen.queryByTestId('clock-warning')).toBeNull();
  });
});
