package tenancy_test

import (
	"testing"

	"github.com/cognitrig/cognitrig/tenancy"
	"github.com/cognitrig/cognitrig/tenancy/storetest"
)

func TestMemoryStoreConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) tenancy.Store { return tenancy.NewMemoryStore() })
}
