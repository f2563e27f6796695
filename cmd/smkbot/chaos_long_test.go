//go:build chaos

package main

// With the chaos build tag (`make chaos`) the fault tests run with the
// faults as long as the issue says: a minute of Telegram errors, and the
// dedupe claims of a killed bot left to expire on their own (90 s).
func init() { chaosLong = true }
