// Package k8s holds no code: its test decodes every manifest in this
// folder strictly into the official Kubernetes types (an unknown or
// misplaced field fails) and checks that they fit together and fit the
// collector (probe paths, ports, folders, image).
package k8s
