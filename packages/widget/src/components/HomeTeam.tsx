import type { TeamMember } from '@threadline/protocol';
import { isolate, type I18n } from '../i18n/i18n.js';
import { notifyWords } from '../i18n/notify-strings.js';
import { Avatar } from './Avatar.js';

/** Faces drawn side by side; every name is still in the line below them. */
const FACES = 5;

/**
 * The team of the first screen (`team` of the app's settings): their faces, then "You'll hear
 * from Mei, Omar, and Sofia". Names are isolated (FSI…PDI) inside the localised sentence, so a
 * Latin name in Arabic, or an Arabic one in English, keeps its place. Nothing without a team.
 */
export function HomeTeam({ i18n, team }: { i18n: I18n; team: readonly TeamMember[] }) {
  if (!team.length) return null;
  const names = new Intl.ListFormat(i18n.locale, { type: 'conjunction' }).format(team.map((m) => isolate(m.name)));
  return (
    <div class="home-team">
      <span class="home-faces">
        {team.slice(0, FACES).map((m, i) => (
          <Avatar key={i} name={m.name} url={m.avatarUrl} />
        ))}
      </span>
      <p>{notifyWords(i18n.locale)('homeTeam', { names })}</p>
    </div>
  );
}
