import { describe, expect, it } from 'vitest';
import { checkOptions, resolveTheme, themeCss } from './options.js';

describe('checkOptions', () => {
  it('requires appId and an http(s) serverUrl', () => {
    expect(checkOptions(undefined).options).toBeNull();
    const { options, problems } = checkOptions({ appId: '', serverUrl: 'javascript:alert(1)' });
    expect(options).toBeNull();
    expect(problems.map((p) => p.option)).toEqual(['appId', 'serverUrl']);
  });

  it('drops a bad optional value with a problem and keeps the rest', () => {
    const { options, problems } = checkOptions({ appId: 'demo', serverUrl: 'http://localhost:3000', position: 'top', zIndex: 5, brandColor: 'red;}body{x' });
    expect(options).toMatchObject({ appId: 'demo', zIndex: 5 });
    expect(options).not.toHaveProperty('position');
    expect(options).not.toHaveProperty('brandColor');
    expect(problems.map((p) => p.option).sort()).toEqual(['brandColor', 'position']);
  });
});

describe('themeCss', () => {
  it('sets custom properties on the host from the options', () => {
    const css = themeCss(resolveTheme({ appId: 'a', serverUrl: 'http://x', brandColor: '#0a7d45', offset: { y: 96 }, zIndex: 50 }));
    expect(css).toBe(':host{--tl-brand:#0a7d45;--tl-offset-x:20px;--tl-offset-y:96px;--tl-z:50}');
  });

  it('never lets a colour close the rule', () => {
    expect(themeCss(resolveTheme({ appId: 'a', serverUrl: 'http://x', brandColor: 'red}*{display:none' }))).not.toContain('display');
  });
});

describe('theme', () => {
  const base = { appId: 'a', serverUrl: 'http://x' };

  it("accepts 'auto', 'light' and 'dark' and drops anything else with a problem", () => {
    for (const theme of ['auto', 'light', 'dark']) expect(checkOptions({ ...base, theme }).problems).toEqual([]);
    const { options, problems } = checkOptions({ ...base, theme: 'night' });
    expect(options).not.toHaveProperty('theme');
    expect(problems.map((p) => p.option)).toEqual(['theme']);
  });

  it('forces a scheme through --tl-scheme, and leaves it to the system for auto', () => {
    expect(themeCss(resolveTheme({ ...base, theme: 'dark' }))).toContain(';--tl-scheme:dark}');
    expect(themeCss(resolveTheme({ ...base, theme: 'light' }))).toContain(';--tl-scheme:light}');
    expect(themeCss(resolveTheme({ ...base, theme: 'auto' }))).not.toContain('scheme');
    expect(themeCss(resolveTheme(base))).not.toContain('scheme');
  });
});
