// Package layers holds the test that keeps cognitrig's import layers as
// ARCHITECTURE.md draws them: the core (triggers) imports no other cognitrig
// package, feature packages (customauth, tenancy, migration, lifecycle,
// backup) never import one another, production code never imports the test
// servers, and nothing imports the deployable handlers or the CLI.
package layers
