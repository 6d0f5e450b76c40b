import { describe, expect, it, vi } from 'vitest';
import { createCommandRunner } from './commands.js';
import type { Widget } from './widget.js';

function fakeWidget(): Widget {
  return {
    open: vi.fn(),
    close: vi.fn(),
    toggle: vi.fn(),
    showNewMessage: vi.fn(),
    identify: vi.fn(),
    update: vi.fn(),
    track: vi.fn(),
    consent: vi.fn(),
    on: vi.fn(),
    off: vi.fn(),
    shutdown: vi.fn(async () => {}),
    destroy: vi.fn(),
    client: {} as Widget['client'],
  };
}

function setup() {
  const widget = fakeWidget();
  const warn = vi.fn();
  const mount = vi.fn(() => widget);
  const runner = createCommandRunner({ mount, warn });
  return { runner, widget, warn, mount };
}

const boot = ['boot', { appId: 'demo', serverUrl: 'http://localhost:3000' }];

describe('command runner', () => {
  it('boots with the options and runs commands on the widget', () => {
    const { runner, widget, mount } = setup();
    runner.run(boot);
    expect(mount).toHaveBeenCalledWith({ appId: 'demo', serverUrl: 'http://localhost:3000' }, expect.anything(), expect.any(Function));
    runner.run(['open']);
    runner.run(['showNewMessage', 'Hi']);
    runner.run(['track', 'checkout_started', { value: 42 }]);
    runner.run(['update', { cart: { value: 42, currency: 'EUR' } }]);
    runner.run(['identify', { userId: 'u1', userHash: 'abc', name: 'Ada' }]);
    expect(widget.open).toHaveBeenCalled();
    expect(widget.showNewMessage).toHaveBeenCalledWith('Hi');
    expect(widget.track).toHaveBeenCalledWith('checkout_started', { value: 42 });
    expect(widget.update).toHaveBeenCalledWith({ cart: { value: 42, currency: 'EUR' } });
    expect(widget.identify).toHaveBeenCalledWith({ userId: 'u1', userHash: 'abc', name: 'Ada' });
  });

  it('keeps calls made before boot and replays them after it, in order', () => {
    const { runner, widget } = setup();
    const order: string[] = [];
    vi.mocked(widget.open).mockImplementation(() => order.push('open'));
    vi.mocked(widget.track).mockImplementation(() => order.push('track'));
    runner.run(['open']);
    runner.run(['track', 'viewed']);
    expect(order).toEqual([]);
    runner.run(boot);
    expect(order).toEqual(['open', 'track']);
  });

  it('reports unknown commands with a warning and an error event, never throwing', () => {
    const { runner, warn } = setup();
    const onError = vi.fn();
    runner.run(['on', 'error', onError]);
    expect(() => runner.run(['explode'])).not.toThrow();
    expect(() => runner.run([])).not.toThrow();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('unknown command "explode"'));
    expect(onError).toHaveBeenCalledWith({ code: 'unknown_command', message: 'unknown command "explode"' });
  });

  it('refuses to boot without appId or serverUrl, and reports bad optional values', () => {
    const { runner, mount, warn } = setup();
    runner.run(['boot', { serverUrl: 'ftp://x' }]);
    expect(mount).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('appId'));
    runner.run(['boot', { appId: 'demo', serverUrl: 'http://localhost:3000', position: 'middle' }]);
    expect(mount).toHaveBeenCalledOnce();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('position'));
  });

  it('reports bad arguments of identify, track and on', () => {
    const { runner, widget, warn } = setup();
    runner.run(boot);
    runner.run(['identify', { userId: 'u1' }]);
    runner.run(['identify', { userId: 'u1', userHash: 'h', jwt: 'j' }]);
    runner.run(['track']);
    runner.run(['on', 'nonsense', () => {}]);
    expect(widget.identify).not.toHaveBeenCalled();
    expect(widget.track).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledTimes(4);
  });

  it('warns about a second boot, and boots again after shutdown', () => {
    const { runner, widget, mount, warn } = setup();
    runner.run(boot);
    runner.run(boot);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('already booted'));
    runner.run(['shutdown']);
    expect(widget.shutdown).toHaveBeenCalled();
    runner.run(boot);
    expect(mount).toHaveBeenCalledTimes(2);
  });

  it('keeps running when an integrator’s handler throws', () => {
    const warn = vi.fn();
    let emit: ((e: 'open', p: object) => void) | undefined;
    const r = createCommandRunner({
      mount: (_o, ev) => {
        emit = (e, p) => ev.emit(e, p as never);
        return fakeWidget();
      },
      warn,
    });
    r.run(['on', 'open', () => {
      throw new Error('oops');
    }]);
    r.run(boot);
    expect(() => emit!('open', {})).not.toThrow();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('handler_failed'));
  });

  it('consent(true) starts the widget; consent(false) erases the device and boots again waiting for consent', async () => {
    const first = fakeWidget();
    const second = fakeWidget();
    const mount = vi.fn().mockReturnValueOnce(first).mockReturnValueOnce(second);
    const runner = createCommandRunner({ mount, warn: vi.fn() });
    runner.run(['boot', { appId: 'demo', serverUrl: 'http://localhost:3000', consent: false }]);
    runner.run(['consent', true]);
    expect(first.consent).toHaveBeenCalled();
    runner.run(['consent', false]);
    runner.run(['track', 'after_withdrawal']);
    expect(first.shutdown).toHaveBeenCalled();
    await vi.waitFor(() => expect(mount).toHaveBeenCalledTimes(2));
    expect(mount.mock.calls[1]![0]).toMatchObject({ appId: 'demo', consent: false });
    // The call made while the device was being erased went to the new widget, not the old one.
    expect(second.track).toHaveBeenCalledWith('after_withdrawal', undefined);
    expect(first.track).not.toHaveBeenCalled();
  });

  it('does not boot again after a withdrawal when the page shuts down meanwhile', async () => {
    const { runner, widget, mount } = setup();
    runner.run(boot);
    runner.run(['consent', false]);
    runner.run(['shutdown']);
    await widget.shutdown();
    await new Promise((r) => setTimeout(r, 0));
    expect(mount).toHaveBeenCalledTimes(1);
    expect(runner.widget).toBeNull();
  });

  it('refuses consent without a boolean', () => {
    const { runner, widget, warn } = setup();
    runner.run(boot);
    runner.run(['consent', 'yes']);
    expect(widget.consent).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('consent(granted) takes true or false'));
  });
});
