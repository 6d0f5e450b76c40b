import fs from 'node:fs';
import path from 'node:path';

/** What holds secrets and shoppers' files in the data directory: readable by the server's user only. */
const PRIVATE_FILES = ['threadline.sqlite', 'threadline.sqlite-wal', 'threadline.sqlite-shm', 'token.key', 'demo-credentials.json'];
const PRIVATE_DIRS = ['.', 'files'];

/**
 * Creates the data directory (700) if needed, and takes group and other permissions off it, off
 * `files/` and off the database, keys and credentials in it when an older version or another tool
 * left them readable (the database holds the apps' identity secrets). SQLite creates its -wal and
 * -shm files with the database file's permissions, so a 600 database keeps them 600 too. Stored
 * files under `files/<xx>/` are not visited one by one: a 700 `files/` already closes them.
 * Returns the paths it tightened, for the caller to log.
 */
export function makeDataDirPrivate(dataDir: string): string[] {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const tightened: string[] = [];
  const tighten = (p: string, mode: number) => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      return; // not there yet: created private when it is
    }
    if ((stat.mode & 0o077) === 0) return;
    fs.chmodSync(p, mode);
    tightened.push(p);
  };
  for (const dir of PRIVATE_DIRS) tighten(path.join(dataDir, dir), 0o700);
  for (const file of PRIVATE_FILES) tighten(path.join(dataDir, file), 0o600);
  return tightened;
}
