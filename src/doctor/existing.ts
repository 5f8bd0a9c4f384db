// What does exist in Jira, one "id  name" line each, for a message about a wrong id or name, so
// it can be replaced by a right one. doctor (a service desk, a request type, a project, an issue
// type) and map-fields all say it the same way.
import { errorMessage } from '../errors.js';

export async function listExisting(list: () => Promise<{ id: string; name: string }[]>, what: string): Promise<string[]> {
  try {
    const found = await list();
    if (found.length === 0) return [`this account sees no ${what}`];
    const width = Math.max(...found.map((f) => f.id.length));
    return found.map((f) => `${f.id.padEnd(width)}  ${f.name}`);
  } catch (err) {
    return [`(the ${what} could not be listed: ${errorMessage(err)})`];
  }
}
