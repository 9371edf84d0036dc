package config

import "slices"

// MigrationVars lets the external tests compare migrationVars with vars.go.
func MigrationVars() []string { return slices.Clone(migrationVars[:]) }
