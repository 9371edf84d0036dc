// Package dynamotracker is a migration.Tracker on a DynamoDB table, so that
// operators can follow a lazy migration and list who is left.
//
// # Table
//
//	partition key  username (S)
//	attributes     outcome (S), triggerSource (S), userPoolId (S), attempts (N),
//	               firstSeen, lastSeen, migratedAt (N, Unix milliseconds),
//	               expiresAt (N, Unix seconds; the TTL attribute, absent once migrated)
//	GSI            outcome-lastSeen: partition outcome (S), sort lastSeen (N), projection ALL
//
// TableDefinition returns it as a CreateTableInput. Turn on TTL on
// expiresAt in the deployment; reads check expiry themselves, since TTL
// deletes items only eventually.
//
// # Writes
//
// Record uses only single-item conditional writes, so that concurrent
// invocations for one user neither lose counts nor undo a migration:
//
//  1. UpdateItem ... ADD attempts :1, if the record exists, is not
//     migrated and has not expired (attribute_exists(username) AND
//     outcome <> migrated AND (attribute_not_exists(expiresAt) OR
//     expiresAt > now));
//  2. otherwise PutItem a fresh record, if there is none or it has expired
//     (attribute_not_exists(username) OR expiresAt <= now);
//  3. otherwise read it: migrated records stay as they are; a record that
//     another writer created in between sends us back to step 1.
//
// Migrated asks BatchGetItem 100 names at a time (retrying unprocessed
// keys); Progress and List query the GSI (eventually consistent), skipping
// expired records.
//
// The Lambda function needs dynamodb:GetItem, PutItem and UpdateItem on the
// table; operators' tools also BatchGetItem and Query (table and index).
package dynamotracker
