import { act, fireEvent, render, screen } from '@testing-library/preact';
import { useState } from 'preact/hooks';
import { describe, expect, it, vi } from 'vitest';
import { axeViolations } from '../test/axe.js';
import { en } from '../test/i18n.js';
import type { RecorderFactory } from '../voice/recorder.js';
import { Composer, type ComposerFile, type ComposerProps } from './Composer.js';

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

  it('has no axe violations', async () => {
    const { container } = render(<Harness recorder={async () => ({ stop: vi.fn(), cancel: vi.fn() })} camera />);
    expect(await axeViolations(container)).toEqual([]);
  });
});
