import { act, fireEvent, render, screen } from '@testing-library/preact';
import { useState } from 'preact/hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { axeViolations } from '../test/axe.js';
import { en } from '../test/i18n.js';
import type { RecorderFactory } from '../voice/recorder.js';
import { Composer, type ComposerFile, type ComposerProps } from './Composer.js';

// jsdom has no PointerEvent: Preact then listens under the prop's own name, which fireEvent
// reaches; the release is a plain event on the document, as the composer listens for it there.
const press = (el: Element) => fireEvent.pointerDown(el, { button: 0 });
const release = () => document.body.dispatchEvent(new Event('pointerup', { bubbles: true }));

function Harness(props: Partial<ComposerProps> & { onSendText?: (t: string) => void }) {
  const [text, setText] = useState('');
  const [files, setFiles] = useState<ComposerFile[]>([]);
  return (
    <Composer
      i18n={en}
      text={text}
      files={files}
      error={null}
      onText={setText}
      onAddFiles={(f) => setFiles([...files, ...f.map((file) => ({ file }))])}
      onRemoveFile={(i) => setFiles(files.filter((_, j) => j !== i))}
      onVoice={() => {}}
      onSend={() => {
        props.onSendText?.(text);
        setText('');
      }}
      {...props}
    />
  );
}

describe('Composer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('has a textbox labelled "Message" and a "Send" button, disabled while empty', () => {
    render(<Harness />);
    expect(screen.getByRole('textbox', { name: 'Message' })).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('sends on Enter and adds a line on Shift+Enter', () => {
    const onSendText = vi.fn();
    render(<Harness onSendText={onSendText} />);
    const box = screen.getByRole('textbox', { name: 'Message' });
    fireEvent.input(box, { target: { value: 'hello' } });
    fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(onSendText).not.toHaveBeenCalled();
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSendText).toHaveBeenCalledWith('hello');
  });

  it('does not send while an input method is composing (Chinese input)', () => {
    const onSendText = vi.fn();
    render(<Harness onSendText={onSendText} />);
    const box = screen.getByRole('textbox', { name: 'Message' });
    fireEvent.input(box, { target: { value: 'ni hao' } });
    fireEvent.keyDown(box, { key: 'Enter', isComposing: true });
    fireEvent.keyDown(box, { key: 'Enter', keyCode: 229 });
    expect(onSendText).not.toHaveBeenCalled();
  });

  it('attaches chosen and pasted files, and removes them', () => {
    const { container } = render(<Harness />);
    const input = container.querySelector<HTMLInputElement>('input[type=file]')!;
    const photo = new File(['x'], 'dashboard.jpg', { type: 'image/jpeg' });
    fireEvent.change(input, { target: { files: [photo] } });
    expect(screen.getByText('dashboard.jpg')).toBeTruthy();
    const box = screen.getByRole('textbox', { name: 'Message' });
    fireEvent.paste(box, { clipboardData: { files: [new File(['y'], 'paste.png', { type: 'image/png' })] } });
    expect(screen.getByText('paste.png')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Remove dashboard.jpg' }));
    expect(screen.queryByText('dashboard.jpg')).toBeNull();
  });

  it('shows a file error as an alert', () => {
    render(<Harness error="big.mov is too large (limit 10 MB)." />);
    expect(screen.getByRole('alert').textContent).toBe('big.mov is too large (limit 10 MB).');
  });

  it('records a voice clip with a running duration, then attaches it', async () => {
    vi.useFakeTimers();
    const clip = { blob: new Blob(['a'], { type: 'audio/webm' }), durationMs: 3200 };
    const recording = { stop: vi.fn(async () => clip), cancel: vi.fn() };
    const recorder: RecorderFactory = vi.fn(async () => recording);
    const onVoice = vi.fn();
    render(<Harness recorder={recorder} onVoice={onVoice} />);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Record a voice clip' }));
    });
    await act(async () => {
      vi.advanceTimersByTime(3000);
    });
    expect(screen.getByRole('status').textContent).toContain('Recording 0:03');
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Stop and attach' }));
    });
    expect(onVoice).toHaveBeenCalledWith(clip);
    vi.useRealTimers();
  });

  it('cancels a recording and says so when the microphone is refused', async () => {
    const recording = { stop: vi.fn(), cancel: vi.fn() };
    render(<Harness recorder={async () => recording} />);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Record a voice clip' }));
    });
    fireEvent.click(screen.getByRole('button', { name: 'Cancel recording' }));
    expect(recording.cancel).toHaveBeenCalled();
    expect(screen.getByRole('textbox', { name: 'Message' })).toBeTruthy();

    const refused: RecorderFactory = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
    render(<Harness recorder={refused} />);
    await act(async () => {
      fireEvent.click(screen.getAllByRole('button', { name: 'Record a voice clip' })[1]!);
    });
    expect(screen.getByRole('alert').textContent).toBe('The microphone is not available.');
  });

  it('records while the microphone is held and attaches the clip on release', async () => {
    vi.useFakeTimers();
    const clip = { blob: new Blob(['a'], { type: 'audio/webm' }), durationMs: 1200 };
    const recording = { stop: vi.fn(async () => clip), cancel: vi.fn() };
    const onVoice = vi.fn();
    render(<Harness recorder={async () => recording} onVoice={onVoice} />);
    await act(async () => {
      press(screen.getByRole('button', { name: 'Record a voice clip' }));
    });
    await act(async () => {
      vi.advanceTimersByTime(1200);
      release();
    });
    expect(recording.stop).toHaveBeenCalled();
    expect(onVoice).toHaveBeenCalledWith(clip);
    vi.useRealTimers();
  });

  it('keeps recording after a short tap, until stopped', async () => {
    const recording = { stop: vi.fn(), cancel: vi.fn() };
    render(<Harness recorder={async () => recording} />);
    const mic = screen.getByRole('button', { name: 'Record a voice clip' });
    await act(async () => {
      press(mic);
      release();
      fireEvent.click(mic);
    });
    expect(recording.stop).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Stop and attach' })).toBeTruthy();
  });

  it('has no axe violations', async () => {
    const { container } = render(<Harness recorder={async () => ({ stop: vi.fn(), cancel: vi.fn() })} camera />);
    expect(await axeViolations(container)).toEqual([]);
  });
});
