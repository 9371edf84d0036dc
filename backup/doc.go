// Package backup exports the users of an Amazon Cognito user pool and turns
// the export into the files that import them into a new pool: a user pool
// itself cannot be backed up or restored.
//
// Export reads every user through the paginated ListUsers, every group and
// its members through ListGroups and ListUsersInGroup, and each user's MFA
// settings through AdminGetUser (a few calls at a time), retrying throttled
// calls (TooManyRequestsException) with exponential backoff and jitter. It
// writes JSON Lines: a header, one line per group, one per user
// (attributes, status, enabled flag, groups, MFA settings), and a footer
// with the counts, without which Read refuses the file as cut short.
//
// Restore writes the Cognito user-import CSV (the target pool's
// GetCSVHeader columns) and a group-membership CSV ("group,username");
// WriteGroups writes the groups to create first. What an import cannot
// carry is reported, never dropped silently: passwords (every imported user
// must reset theirs), users of external identity providers, the disabled
// flag, authenticator-app and email MFA, and attributes without a column.
//
// Read holds a whole backup in memory. For a large pool, read it one user
// at a time: CustomAttributes makes a first pass (checking the whole file
// and listing the custom attributes for HeaderWith, when the target pool's
// CSVHeader is not at hand), then NewReader and RestoreFrom write the CSVs,
// with RestoreOptions.OnFollowUp taking the follow-ups as they come. This
// is what `cognitrig restore` does; its memory stays flat as the pool grows.
//
// The tests drive the real SDK client against internal/awsfake's local
// Cognito user-pool API.
package backup
