package bootstraptest

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cognitrig/cognitrig/customauth/records"
	"github.com/cognitrig/cognitrig/internal/dynamotest"
	"github.com/cognitrig/cognitrig/lifecycle/authpolicy"
	"github.com/cognitrig/cognitrig/lifecycle/confirm"
	"github.com/cognitrig/cognitrig/migration/dynamotracker"
	"github.com/cognitrig/cognitrig/tenancy/dynamostore"
)

// Tables of the deployment, as the CDK stack defines them.
const (
	Challenges  = "challenges"  // pk (S)
	Migration   = "migration"   // username (S), GSI outcome-lastSeen
	Audit       = "audit"       // pk (S), sk (S)
	Confirm     = "confirm"     // pk (S)
	LegacyUsers = "legacyUsers" // username (S)
	Tenancy     = "tenancy"     // pk (S), sk (S)
)

// Table creates a throw-away table of kind on the DynamoDB test server and
// returns its name; t is skipped when no server runs (plain go test).
func Table(t testing.TB, kind string) string {
	t.Helper()
	client := dynamotest.Client(t)
	return dynamotest.CreateTable(t, client, Definition(kind))
}

// Definition returns the definition of a table of kind.
func Definition(kind string) dynamodb.CreateTableInput {
	switch kind {
	case Challenges:
		return records.TableDefinition(kind)
	case Migration:
		return dynamotracker.TableDefinition(kind)
	case Audit:
		return authpolicy.AuditTableDefinition(kind)
	case Confirm:
		return confirm.TableDefinition(kind)
	case LegacyUsers:
		return dynamotest.KeyedTable(kind, "username")
	case Tenancy:
		return dynamostore.TableDefinition(kind)
	}
	panic("bootstraptest: unknown table kind " + kind)
}
