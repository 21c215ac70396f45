// Package k8sjob builds the Kubernetes Indexed Job that runs the cells of a sweep plan on a cluster: one
// pod per cell, each running `fairbinn sweep --cell $(JOB_COMPLETION_INDEX)` on the volume that holds the
// sweep folder. It is kept apart so that the library does not depend on the Kubernetes API types.
package k8sjob
