import type { FakeResolution, FakeStatus, StatusCategoryKey } from './workflow.js';

/**
 * The workflows the fake starts with (workflow.ts models how tickets move
 * through them): Jira's fixed status categories, the service desk's statuses,
 * the plain project's and the resolutions both share.
 */

/** Jira's fixed status categories (ids as on every Cloud site). */
export const STATUS_CATEGORIES: Record<StatusCategoryKey, { id: number; key: StatusCategoryKey; colorName: string; name: string }> = {
  new: { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' },
  indeterminate: { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' },
  done: { id: 3, key: 'done', colorName: 'green', name: 'Done' },
};

/** A JSM IT service workflow; the first status is where new requests start. */
export function defaultStatuses(): FakeStatus[] {
  return [
    { id: '10001', name: 'Waiting for support', category: 'new' },
    { id: '10002', name: 'Waiting for customer', category: 'indeterminate' },
    { id: '3', name: 'In Progress', category: 'indeterminate' },
    { id: '10003', name: 'Pending', category: 'indeterminate' },
    { id: '10004', name: 'Resolved', category: 'done' },
    { id: '6', name: 'Closed', category: 'done' },
    { id: '10005', name: 'Canceled', category: 'done' },
  ];
}

/** The plain project's simplified workflow; issues created through the issue API start in 'To Do'. */
export function defaultIssueStatuses(): FakeStatus[] {
  return [
    { id: '10000', name: 'To Do', category: 'new' },
    { id: '3', name: 'In Progress', category: 'indeterminate' },
    { id: '10006', name: 'Done', category: 'done' },
  ];
}

export function defaultResolutions(): FakeResolution[] {
  return [
    { id: '10000', name: 'Done', description: 'Work has been completed on this issue.' },
    { id: '10001', name: "Won't Do", description: 'This issue won\'t be actioned.' },
    { id: '10002', name: 'Duplicate', description: 'The problem is a duplicate of an existing issue.' },
    { id: '10003', name: 'Declined', description: 'This issue was not approved.' },
  ];
}
