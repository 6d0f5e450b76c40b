import { render, screen } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { createI18n, loadPanelStrings } from '../i18n/i18n.js';
import { axeViolations } from '../test/axe.js';
import { en } from '../test/i18n.js';
import { HomeHero } from './HomeHero.js';

const team = [{ name: 'Mei', avatarUrl: 'https://cdn.example/mei.png' }, { name: 'Omar' }, { name: 'Ana' }];

describe('HomeHero', () => {
  it('shows the brand’s logo, the team by picture or initial and by name, the greeting and the line after it', () => {
    const { container } = render(
      <HomeHero i18n={en} brandAvatarUrl="https://cdn.example/logo.png" team={team} greeting="Hi! Ask us anything.">
        <span>Usually replies within 30 minutes</span>
      </HomeHero>,
    );
    const faces = container.querySelectorAll('.home-faces .avatar');
    expect([...faces].map((f) => f.getAttribute('src') ?? f.textContent)).toEqual(['https://cdn.example/mei.png', 'O', 'A']);
    expect(container.querySelector('.home-top > img')?.getAttribute('src')).toBe('https://cdn.example/logo.png');
    expect(screen.getByText(/You’ll hear from/).textContent).toBe('You’ll hear from \u2068Mei\u2069, \u2068Omar\u2069, and \u2068Ana\u2069');
    expect(container.querySelector('.home-greeting')?.textContent).toBe('Hi! Ask us anything.Usually replies within 30 minutes');
  });

  it('draws at most five faces but names everyone', () => {
    const eight = Array.from({ length: 8 }, (_, i) => ({ name: `P${i}` }));
    const { container } = render(<HomeHero i18n={en} team={eight} greeting="Hi" />);
    expect(container.querySelectorAll('.home-faces .avatar')).toHaveLength(5);
    expect(container.querySelector('.home-team')?.textContent).toContain('P7');
  });

  it('leaves out the logo and team row without a logo or a team', () => {
    const { container } = render(<HomeHero i18n={en} team={[]} greeting="Hi" />);
    expect(container.querySelector('.home-top')).toBeNull();
    expect(container.querySelector('.home-team')).toBeNull();
    expect(screen.getByText('Hi')).toBeTruthy();
  });

  it('isolates each name inside an Arabic sentence', async () => {
    await loadPanelStrings('ar');
    render(<HomeHero i18n={createI18n('ar')} team={[{ name: 'Mei' }, { name: 'عمر' }]} greeting="مرحبًا" />);
    expect(screen.getByText(/سيرد عليك/).textContent).toBe('سيرد عليك \u2068Mei\u2069 و\u2068عمر\u2069');
  });

  it('has no axe violations', async () => {
    const { container } = render(<HomeHero i18n={en} team={team} greeting="Hi! Ask us anything." />);
    expect(await axeViolations(container)).toEqual([]);
  });
});
