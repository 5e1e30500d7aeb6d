//go:build tools

// Package tools records the commands this module builds, so that `go mod tidy` keeps
// their dependencies in go.mod and go.sum. It is never compiled into anything.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
