// The web form table the tests, the demo and the benchmark use, with the (created_at, id)
// index that serves jira-sync's fetch. No vitest import, so plain scripts can use it too.
export const SUBMISSIONS_DDL = `
  CREATE TABLE webform_submissions (
    id bigserial PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    email_address text NOT NULL,
    department_name text,
    new_user_name text,
    equipment text,
    needed_by date,
    quantity integer,
    notes text
  );
  CREATE INDEX webform_submissions_keyset ON webform_submissions (created_at, id);`;
