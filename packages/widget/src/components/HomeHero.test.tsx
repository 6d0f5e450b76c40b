import { render, screen } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { createI18n, loadPanelStrings } from '../i18n/i18n.js';
import { axeViolations } from '../test/axe.js';
import { en } from '../test/i18n.js';
import { HomeHero } from './HomeHero.js';
import { HomeTeam } from './HomeTeam.js';

const team = [{ name: 'Mei', avatarUrl: 'https://cdn.example/mei.png' }, { name: 'Omar' }, { name: 'Ana' }];

describe('HomeHero', () => {
  it('shows the brand’s logo, the team beside it, the greeting and the line after it', () => {
    const { container } = render(
      <HomeHero i18n={en} brandAvatarUrl="https://cdn.example/logo.png" team={<HomeTeam i18n={en} team={team} />} greeting="Hi! Ask us anything.">
        <span>Usually replies within 30 minutes</span>
      </HomeHero>,
    );
    expect(container.querySelector('.home-top > img')?.getAttribute('src')).toBe('https://cdn.example/logo.png');
    expect(container.querySelector('.home-top .home-team')).toBeTruthy();
    expect(container.querySelector('.home-greeting')?.textContent).toBe('Hi! Ask us anything.Usually replies within 30 minutes');
  });

  it('has no logo without brandAvatarUrl', () => {
    const { container } = render(<HomeHero i18n={en} greeting="Hi" />);
    expect(container.querySelector('.home-top img, .home-top .avatar')).toBeNull();
    expect(screen.getByText('Hi')).toBeTruthy();
  });

  it('has no axe violations', async () => {
    const { container } = render(<HomeHero i18n={en} brandAvatarUrl="https://cdn.example/logo.png" team={<HomeTeam i18n={en} team={team} />} greeting="Hi! Ask us anything." />);
    expect(await axeViolations(container)).toEqual([]);
  });
});

describe('HomeTeam', () => {
  it('shows each person by picture or initial, and everyone by name', () => {
    const { container } = render(<HomeTeam i18n={en} team={team} />);
    const faces = container.querySelectorAll('.home-faces .avatar');
    expect([...faces].map((f) => f.getAttribute('src') ?? f.textContent)).toEqual(['https://cdn.example/mei.png', 'O', 'A']);
    expect(screen.getByText(/You’ll hear from/).textContent).toBe('You’ll hear from \u2068Mei\u2069, \u2068Omar\u2069, and \u2068Ana\u2069');
  });

  it('draws at most five faces but names everyone', () => {
    const eight = Array.from({ length: 8 }, (_, i) => ({ name: `P${i}` }));
    const { container } = render(<HomeTeam i18n={en} team={eight} />);
    expect(container.querySelectorAll('.home-faces .avatar')).toHaveLength(5);
    expect(container.querySelector('.home-team p')?.textContent).toContain('P7');
  });

  it('draws nothing without a team', () => {
    const { container } = render(<HomeTeam i18n={en} team={[]} />);
    expect(container.innerHTML).toBe('');
  });

  it('isolates each name inside an Arabic sentence', async () => {
    await loadPanelStrings('ar');
    render(<HomeTeam i18n={createI18n('ar')} team={[{ name: 'Mei' }, { name: 'عمر' }]} />);
    expect(screen.getByText(/سيرد عليك/).textContent).toBe('سيرد عليك \u2068Mei\u2069 و\u2068عمر\u2069');
  });
});
