// What the demo app's first screen shows (the widget's home: the team's faces and names, when the
// shop answers), set through the server's public API as a brand would set it. The pictures are
// the shop's own files (public/img/team), so the demo needs no network beyond this machine.

/** The team, in the order the first screen shows it; `picture` is a file under /shop/img/team/. */
export const DEMO_TEAM = [
  { name: 'Maya', picture: 'maya.svg' },
  { name: 'Leo', picture: 'leo.svg' },
  { name: 'Sam', picture: 'sam.svg' },
];

/** "Usually replies within 30 minutes". No business hours: the demo answers at any time. */
export const DEMO_REPLY_TIME_MINUTES = 30;

const TEAM_PATH = '/shop/img/team/';

/** The demo team with its pictures served from `origin` (where the shop's pages are opened). */
export function demoTeam(origin) {
  return DEMO_TEAM.map((m) => ({ name: m.name, avatarUrl: `${origin}${TEAM_PATH}${m.picture}` }));
}

/**
 * The settings to write, or null to leave them. An app that never set anything (no hours, reply
 * time, away message or team) gets the demo's; settings someone changed are left alone, except the
 * demo's own team on another origin (the demo started on another port since): its pictures follow.
 */
export function demoSettingsFor(current, origin) {
  const team = current.team ?? [];
  if (!current.hours && current.replyTimeMinutes == null && !current.awayMessage && !team.length) {
    return { replyTimeMinutes: DEMO_REPLY_TIME_MINUTES, team: demoTeam(origin) };
  }
  const wanted = demoTeam(origin);
  const isDemoTeam =
    team.length === DEMO_TEAM.length &&
    team.every((m, i) => m.name === DEMO_TEAM[i].name && m.avatarUrl?.endsWith(`${TEAM_PATH}${DEMO_TEAM[i].picture}`));
  if (!isDemoTeam || team.every((m, i) => m.avatarUrl === wanted[i].avatarUrl)) return null;
  // PUT replaces the whole document: everything else is written back as it was.
  const { hours, replyTimeMinutes, awayMessage } = current;
  return { hours, replyTimeMinutes, awayMessage, team: wanted };
}

/**
 * Seeds the demo app's settings through GET/PUT /v1/availability with its API key (see
 * `demoSettingsFor`). `serverUrl` is where to reach the API; `origin`, where the pictures are served.
 * Returns what was written, or null.
 */
export async function seedDemoSettings({ serverUrl, apiKey, origin }) {
  const headers = { authorization: `Bearer ${apiKey}` };
  const res = await fetch(`${serverUrl}/v1/availability`, { headers });
  if (!res.ok) throw new Error(`GET /v1/availability: ${res.status} ${await res.text()}`);
  const next = demoSettingsFor(await res.json(), origin);
  if (!next) return null;
  const put = await fetch(`${serverUrl}/v1/availability`, { method: 'PUT', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(next) });
  if (!put.ok) throw new Error(`PUT /v1/availability: ${put.status} ${await put.text()}`);
  return next;
}
