import { act, fireEvent, render } from '@testing-library/preact';
import { useRef } from 'preact/hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useModalOnPhones } from './modal.js';

/** A matchMedia whose answer the test sets, with change listeners. */
function fakeViewport(phone: boolean) {
  const listeners = new Set<() => void>();
  const query = {
    get matches() {
      return phone;
    },
    addEventListener: (_: string, l: () => void) => listeners.add(l),
    removeEventListener: (_: string, l: () => void) => listeners.delete(l),
  };
  vi.stubGlobal('matchMedia', () => query);
  return {
    set(next: boolean) {
      phone = next;
      act(() => listeners.forEach((l) => l()));
    },
  };
}

function Dialog({ open }: { open: boolean }) {
  const ref = useRef<HTMLElement>(null);
  useModalOnPhones(ref, open);
  return open ? (
    <section role="dialog" aria-label="Messages" ref={ref} tabIndex={-1}>
      <button type="button">Back</button>
      <button type="button" hidden>
        Hidden
      </button>
      <textarea aria-label="Message" />
      <button type="button">Send</button>
      {/* Out of Tab's reach, as the composer's file input and a disabled Send are. */}
      <input type="file" tabIndex={-1} aria-label="Attach" />
      <button type="button" disabled>
        Off
      </button>
    </section>
  ) : null;
}

/** The page around the widget: a header, the widget's own element, a sticky checkout bar, a dialog the page made inert itself. */
function page() {
  document.body.innerHTML = '<header><a href="/">Shop</a></header><main><div id="mount"></div><p>Text</p></main><div class="bar"><button>Pay</button></div><aside inert></aside>';
  return document.getElementById('mount')!;
}

const inert = () => [...document.querySelectorAll('[inert]')].map((el) => el.localName + (el.className ? `.${el.className}` : ''));

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = '';
});

describe('the panel on a phone', () => {
  it('is a modal dialog: the rest of the page is inert while it is open, and given back when it closes', () => {
    fakeViewport(true);
    const { rerender, getByRole } = render(<Dialog open />, { container: page() });
    expect(getByRole('dialog').getAttribute('aria-modal')).toBe('true');
    // Every sibling of the widget and of its ancestors, but not the widget's own branch.
    expect(inert().sort()).toEqual(['aside', 'div.bar', 'header', 'p'].sort());
    rerender(<Dialog open={false} />);
    expect(inert()).toEqual(['aside']);
  });

  it('makes what the page adds while it is open inert too (a banner on <body>, a row beside the widget), and gives it back on close', async () => {
    fakeViewport(true);
    const { rerender } = render(<Dialog open />, { container: page() });
    const banner = Object.assign(document.createElement('div'), { className: 'banner' });
    document.body.append(banner);
    const row = Object.assign(document.createElement('div'), { className: 'row' });
    document.querySelector('main')!.append(row);
    document.body.append(document.createElement('script'));
    // MutationObserver callbacks run as a microtask.
    await Promise.resolve();
    expect(inert().sort()).toEqual(['aside', 'div.banner', 'div.bar', 'div.row', 'header', 'p'].sort());
    rerender(<Dialog open={false} />);
    expect(inert()).toEqual(['aside']);
    // Closed: the page's new elements stay as the page made them.
    document.body.append(Object.assign(document.createElement('div'), { className: 'later' }));
    await Promise.resolve();
    expect(inert()).toEqual(['aside']);
  });

  it('keeps Tab inside: from the last control to the first and back with Shift+Tab', () => {
    fakeViewport(true);
    const { getByRole } = render(<Dialog open />, { container: page() });
    const [back, send] = [getByRole('button', { name: 'Back' }), getByRole('button', { name: 'Send' })];
    send.focus();
    fireEvent.keyDown(send, { key: 'Tab' });
    expect(document.activeElement).toBe(back);
    fireEvent.keyDown(back, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(send);
    // In between, Tab is the browser's own.
    getByRole('textbox').focus();
    expect(fireEvent.keyDown(getByRole('textbox'), { key: 'Tab' })).toBe(true);
  });

  it('follows the viewport: a window widened past the phone size makes it non-modal again, and back', () => {
    const viewport = fakeViewport(true);
    const { getByRole } = render(<Dialog open />, { container: page() });
    viewport.set(false);
    expect(getByRole('dialog').hasAttribute('aria-modal')).toBe(false);
    expect(inert()).toEqual(['aside']);
    viewport.set(true);
    expect(getByRole('dialog').getAttribute('aria-modal')).toBe('true');
  });
});

describe('the panel on a desktop', () => {
  it('stays a non-modal dialog beside the page: nothing is made inert and Tab leaves it', () => {
    fakeViewport(false);
    const { getByRole } = render(<Dialog open />, { container: page() });
    expect(getByRole('dialog').hasAttribute('aria-modal')).toBe(false);
    expect(inert()).toEqual(['aside']);
    const send = getByRole('button', { name: 'Send' });
    send.focus();
    expect(fireEvent.keyDown(send, { key: 'Tab' })).toBe(true);
  });
});
