import type { ComponentChildren } from 'preact';
import type { I18n } from '../i18n/i18n.js';
import { Avatar } from './Avatar.js';

export interface HomeHeroProps {
  i18n: I18n;
  /** The brand's logo (`brandAvatarUrl`), large; its name is the panel's title, just above. */
  brandAvatarUrl?: string | undefined;
  greeting: string;
  /** Beside the logo: the team's faces and names (HomeTeam), once the app's settings are known. */
  team?: ComponentChildren;
  /** The availability line ("Usually replies within …"), drawn after the greeting. */
  children?: ComponentChildren;
}

/**
 * The top of the panel's first screen (under the brand's name in the header): its logo, its
 * team, the greeting and when the brand answers. The team and the line come from the app's
 * settings, which arrive over the network, so they are drawn by the on-demand tl-notify chunk.
 */
export function HomeHero({ brandAvatarUrl, greeting, team, children }: HomeHeroProps) {
  return (
    <div class="home">
      <div class="home-top">
        {brandAvatarUrl && <Avatar url={brandAvatarUrl} />}
        {team}
      </div>
      <p class="home-greeting" dir="auto">
        {greeting}
        {children}
      </p>
    </div>
  );
}
