package backup_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/backup"
	"github.com/cognitrig/cognitrig/internal/awsfake"
)

// BenchmarkExport exports 1,000 users (with MFA settings) from the local
// fake through the real SDK client; ns/op is per export.
func BenchmarkExport(b *testing.B) {
	fake := awsfake.NewCognito(b)
	population(fake, 1000)
	api := fake.Client()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := backup.Export(context.Background(), api, poolID, io.Discard, backup.Options{Concurrency: 8}); err != nil {
			b.Fatal(err)
		}
	}
}

// syntheticBackup writes a backup of n users with realistic attributes,
// straight through a Writer (exporting 100,000 users through the fake
// would take minutes).
func syntheticBackup(b *testing.B, n int) []byte {
	var file bytes.Buffer
	w, err := backup.NewWriter(&file, backup.Header{UserPoolID: poolID, CreatedAt: base, EstimatedUsers: int64(n), WithMFA: true})
	if err != nil {
		b.Fatal(err)
	}
	_ = w.Group(backup.Group{Name: "staff"})
	for i := range n {
		err := w.User(backup.User{
			Username: fmt.Sprintf("user-%06d", i),
			Attributes: map[string]string{
				"sub": fmt.Sprintf("0000%04x-1111-2222-3333-%012d", i%65536, i), "email": fmt.Sprintf("user-%06d@example.com", i),
				"email_verified": "true", "given_name": "Given", "family_name": "Family", "custom:plan": "pro",
			},
			Status: "CONFIRMED", Enabled: true, CreatedAt: base, ModifiedAt: base, Groups: []string{"staff"},
			MFA: backup.MFA{Enabled: []string{"SOFTWARE_TOKEN_MFA"}, Preferred: "SOFTWARE_TOKEN_MFA"},
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return file.Bytes()
}

// peakHeap runs f and returns the most heap it held above what was live
// before, sampled every 100µs. The GC runs at GOGC=10 meanwhile, so that
// the samples follow live data rather than garbage not yet collected.
func peakHeap(f func()) uint64 {
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	runtime.GC()
	base := read()
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(100 * time.Microsecond)
		defer t.Stop()
		for {
			if v := read(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(done)
	<-stopped
	if p := peak.Load(); p > base {
		return p - base
	}
	return 0
}

// BenchmarkRestore writes the import CSVs of a backup of 10,000 and of
// 100,000 users: "memory" reads it whole (Read, Restore), "stream" as
// `cognitrig restore` does (CustomAttributes, then RestoreFrom, one user
// at a time, follow-ups handed on). peak-heap-MB is the most heap held at once: it grows with
// the pool in memory and stays flat streamed.
func BenchmarkRestore(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		file := syntheticBackup(b, n)
		b.Run(fmt.Sprintf("memory/users=%d", n), func(b *testing.B) {
			benchRestore(b, file, func() {
				bk, err := backup.Read(bytes.NewReader(file))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := backup.Restore(bk, io.Discard, io.Discard, backup.RestoreOptions{}); err != nil {
					b.Fatal(err)
				}
			})
		})
		b.Run(fmt.Sprintf("stream/users=%d", n), func(b *testing.B) {
			benchRestore(b, file, func() {
				custom, err := backup.CustomAttributes(bytes.NewReader(file))
				if err != nil {
					b.Fatal(err)
				}
				r, err := backup.NewReader(bytes.NewReader(file))
				if err != nil {
					b.Fatal(err)
				}
				// Every synthetic user needs a follow-up (TOTP): hand them
				// on, as the CLI does, rather than hold 100,000.
				opts := backup.RestoreOptions{Header: backup.HeaderWith(custom), OnFollowUp: func(backup.FollowUp) error { return nil }}
				if _, err := backup.RestoreFrom(r, io.Discard, io.Discard, opts); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

func benchRestore(b *testing.B, file []byte, restore func()) {
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	var peak uint64
	for b.Loop() {
		peak = max(peak, peakHeap(restore))
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}
