import type { ComponentChildren } from 'preact';
import type { TeamMember } from '@threadline/protocol';
import { isolate, type I18n } from '../i18n/i18n.js';
import { Avatar } from './Avatar.js';

/** Faces drawn side by side; every name is still in the line below them. */
const FACES = 5;

export interface HomeHeroProps {
  i18n: I18n;
  /** The brand's logo (`brandAvatarUrl`), large; its name is the panel's title, just above. */
  brandAvatarUrl?: string | undefined;
  /** From the app's settings (`team` of `GET /v1/availability`); empty: no team row. */
  team: readonly TeamMember[];
  greeting: string;
  /** The availability line ("Usually replies within …"), drawn after the greeting. */
  children?: ComponentChildren;
}

/**
 * The top of the panel's first screen (under the brand's name in the header): its logo, the faces and names of its
 * team, the greeting and when the brand answers. Names are isolated (FSI…PDI) inside the localised
 * sentence, so a Latin name in Arabic, or an Arabic one in English, keeps its place.
 */
export function HomeHero({ i18n, brandAvatarUrl, team, greeting, children }: HomeHeroProps) {
  const names = team.length ? new Intl.ListFormat(i18n.locale, { type: 'conjunction' }).format(team.map((m) => isolate(m.name))) : '';
  return (
    <div class="home">
      {(brandAvatarUrl || team.length > 0) && (
        <div class="home-top">
          {brandAvatarUrl && <Avatar url={brandAvatarUrl} />}
          <span class="home-faces">
            {team.slice(0, FACES).map((m, i) => (
              <Avatar key={i} name={m.name} url={m.avatarUrl} />
            ))}
          </span>
        </div>
      )}
      {names && <p class="home-team">{i18n.t('homeTeam', { names })}</p>}
      <p class="home-greeting" dir="auto">
        {greeting}
        {children}
      </p>
    </div>
  );
}
