// Issue mode for the CLI tests: the variables that point a workspace at the fake Jira's plain
// project (ITS, issue type Task) instead of its service desk, and rows whose values that
// project's options accept.
import { sampleSubmission, type SubmissionInput } from './db.js';

/** Extra environment for a workspace: the service desk pair unset, the project pair set. */
export const ISSUE_MODE: Record<string, string> = { JSM_SERVICE_DESK_ID: '', JSM_REQUEST_TYPE_ID: '', JIRA_PROJECT_KEY: 'ITS', JIRA_ISSUE_TYPE: 'Task' };

const DEPARTMENTS = ['Finance', 'HR', 'IT', 'Sales'];
const EQUIPMENT = ['Mobile phone', 'Headset; Desk phone', 'Headset', 'Desk phone'];

/** sampleSubmission(i) with a department and equipment the ITS Task screen offers. */
export function issueRow(i: number, over: SubmissionInput = {}): SubmissionInput {
  return sampleSubmission(i, { department_name: DEPARTMENTS[i % 4], equipment: EQUIPMENT[i % 4], ...over });
}
