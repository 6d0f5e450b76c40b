import { fireEvent, render, screen } from '@testing-library/preact';
import { useState } from 'preact/hooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PaneBoundary } from './PaneBoundary.js';

let broken = true;
function Fragile({ name }: { name: string }) {
  if (broken) throw new RangeError('Incorrect locale information provided');
  return <p>Details of {name}</p>;
}

beforeEach(() => {
  broken = true;
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => vi.restoreAllMocks());

describe('PaneBoundary', () => {
  it('shows a readable error in its pane and leaves the rest of the page working', () => {
    const onClick = vi.fn();
    render(
      <div>
        <button type="button" onClick={onClick}>
          Inbox
        </button>
        <PaneBoundary label="Visitor details" what="The visitor's details could not be shown." class="visitor-panel">
          <Fragile name="Eve" />
        </PaneBoundary>
      </div>,
    );
    const notice = screen.getByRole('alert', { name: 'Visitor details: could not be shown' });
    expect(notice.className).toContain('visitor-panel');
    expect(notice.textContent).toContain("The visitor's details could not be shown.");
    expect(notice.textContent).toContain('Incorrect locale information provided');
    fireEvent.click(screen.getByRole('button', { name: 'Inbox' }));
    expect(onClick).toHaveBeenCalled();
  });

  it('tries again when the agent asks', () => {
    render(
      <PaneBoundary label="Visitor details" what="The visitor's details could not be shown.">
        <Fragile name="Eve" />
      </PaneBoundary>,
    );
    expect(screen.getByRole('alert')).toBeTruthy();
    broken = false;
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(screen.getByText('Details of Eve')).toBeTruthy();
  });

  it('tries again by itself when the pane moves to another item', () => {
    function Host() {
      const [name, setName] = useState('Eve');
      return (
        <>
          <button type="button" onClick={() => setName('Bob')}>
            Next visitor
          </button>
          <PaneBoundary label="Visitor details" what="The visitor's details could not be shown." resetKey={name}>
            <Fragile name={name} />
          </PaneBoundary>
        </>
      );
    }
    render(<Host />);
    expect(screen.getByRole('alert')).toBeTruthy();
    broken = false;
    fireEvent.click(screen.getByRole('button', { name: 'Next visitor' }));
    expect(screen.getByText('Details of Bob')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('renders a custom fallback for one row of a list', () => {
    render(
      <ul>
        <li>
          <PaneBoundary label="Conversation" what="" fallback={(error) => <span>Row failed: {(error as Error).message}</span>}>
            <Fragile name="Eve" />
          </PaneBoundary>
        </li>
        <li>Bob</li>
      </ul>,
    );
    expect(screen.getByText(/Row failed: Incorrect locale/)).toBeTruthy();
    expect(screen.getByText('Bob')).toBeTruthy();
  });
});
