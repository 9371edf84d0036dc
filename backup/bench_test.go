package backup_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/cognitrig/cognitrig/backup"
	"github.com/cognitrig/cognitrig/backup/cognitofake"
)

// BenchmarkExport exports 1,000 users (with MFA settings) from the local
// fake through the real SDK client; ns/op is per export.
func BenchmarkExport(b *testing.B) {
	fake := cognitofake.New()
	population(fake, 1000)
	api := client(b, fake)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := backup.Export(context.Background(), api, poolID, io.Discard, backup.Options{Concurrency: 8}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadRestore reads a 10,000-user backup and writes its import
// CSVs; ns/op is per whole file.
func BenchmarkReadRestore(b *testing.B) {
	fake := cognitofake.New()
	population(fake, 10_000)
	var file bytes.Buffer
	if _, err := backup.Export(context.Background(), client(b, fake), poolID, &file, backup.Options{WithoutMFA: true}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(file.Len()))
	b.ReportAllocs()
	for b.Loop() {
		bk, err := backup.Read(bytes.NewReader(file.Bytes()))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := backup.Restore(bk, io.Discard, io.Discard, backup.RestoreOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
