import { fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { axeViolations } from '../test/axe.js';
import { en } from '../test/i18n.js';
import { VoicePlayer } from './VoicePlayer.js';

// jsdom has no media playback: play and pause change `paused` and fire the events a browser fires.
beforeEach(() => {
  vi.spyOn(HTMLMediaElement.prototype, 'play').mockImplementation(function (this: HTMLMediaElement) {
    Object.defineProperty(this, 'paused', { configurable: true, value: false });
    this.dispatchEvent(new Event('play'));
    return Promise.resolve();
  });
  vi.spyOn(HTMLMediaElement.prototype, 'pause').mockImplementation(function (this: HTMLMediaElement) {
    Object.defineProperty(this, 'paused', { configurable: true, value: true });
    this.dispatchEvent(new Event('pause'));
  });
});
afterEach(() => vi.restoreAllMocks());

const player = () => render(<VoicePlayer url="blob:voice" durationMs={7_000} i18n={en} />);
const slider = () => screen.getByRole('slider', { name: 'Position in voice clip' });

describe('voice player', () => {
  it('draws no browser player: a labelled button, a slider and the time, with the clip behind them', () => {
    const { container } = player();
    expect(screen.getByRole('group', { name: 'Voice clip' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Play voice clip' })).toBeTruthy();
    expect(slider().getAttribute('aria-valuetext')).toBe('0:00 of 0:07');
    expect(container.textContent).toContain('0:00 / 0:07');
    const audio = container.querySelector('audio')!;
    expect(audio.hasAttribute('controls')).toBe(false);
    expect(audio.getAttribute('src')).toBe('blob:voice');
  });

  it('plays and pauses from its button, whose name says what a press does', async () => {
    const { container } = player();
    fireEvent.click(screen.getByRole('button', { name: 'Play voice clip' }));
    await screen.findByRole('button', { name: 'Pause voice clip' });
    expect(container.querySelector('audio')!.paused).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Pause voice clip' }));
    await screen.findByRole('button', { name: 'Play voice clip' });
    expect(container.querySelector('audio')!.paused).toBe(true);
  });

  it('Space and Enter on the slider play and pause', async () => {
    player();
    fireEvent.keyDown(slider(), { key: ' ' });
    await screen.findByRole('button', { name: 'Pause voice clip' });
    fireEvent.keyDown(slider(), { key: 'Enter' });
    await screen.findByRole('button', { name: 'Play voice clip' });
  });

  it('arrow keys, Home and End seek within the clip and the slider says where it is', () => {
    const { container } = player();
    const audio = container.querySelector('audio')!;
    fireEvent.keyDown(slider(), { key: 'ArrowRight' });
    fireEvent.keyDown(slider(), { key: 'ArrowUp' });
    expect(audio.currentTime).toBe(2);
    expect(slider().getAttribute('aria-valuetext')).toBe('0:02 of 0:07');
    fireEvent.keyDown(slider(), { key: 'ArrowLeft' });
    expect(audio.currentTime).toBe(1);
    fireEvent.keyDown(slider(), { key: 'End' });
    expect(audio.currentTime).toBe(7);
    expect(container.textContent).toContain('0:07 / 0:07');
    fireEvent.keyDown(slider(), { key: 'PageUp' });
    expect(audio.currentTime).toBe(7); // not past the end
    fireEvent.keyDown(slider(), { key: 'Home' });
    expect(audio.currentTime).toBe(0);
    fireEvent.keyDown(slider(), { key: 'ArrowDown' });
    expect(audio.currentTime).toBe(0); // not before the start
  });

  it('dragging the slider (its input event) seeks', () => {
    const { container } = player();
    const s = slider() as HTMLInputElement;
    s.value = '4500';
    fireEvent.input(s);
    expect(container.querySelector('audio')!.currentTime).toBe(4.5);
    expect(s.getAttribute('aria-valuetext')).toBe('0:04 of 0:07');
  });

  it('takes the clip’s real duration once the browser knows it', () => {
    const { container } = player();
    const audio = container.querySelector('audio')!;
    Object.defineProperty(audio, 'duration', { configurable: true, value: 12.2 });
    fireEvent(audio, new Event('durationchange'));
    expect(slider().getAttribute('aria-valuetext')).toBe('0:00 of 0:12');
    // MediaRecorder's WebM reports Infinity: the uploader's figure stays.
    Object.defineProperty(audio, 'duration', { configurable: true, value: Infinity });
    fireEvent(audio, new Event('durationchange'));
    expect(slider().getAttribute('aria-valuetext')).toBe('0:00 of 0:12');
  });

  it('says so when the browser refuses to play the clip', async () => {
    vi.mocked(HTMLMediaElement.prototype.play).mockImplementation(() => Promise.reject(new DOMException('no', 'NotSupportedError')));
    player();
    fireEvent.click(screen.getByRole('button', { name: 'Play voice clip' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Could not load this file.');
    expect(screen.getByRole('button', { name: 'Play voice clip' })).toBeTruthy();
  });

  it('has no axe violations', async () => {
    const { container } = player();
    expect(await axeViolations(container)).toEqual([]);
  });
});
