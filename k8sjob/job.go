package k8sjob

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// IndexEnv is the variable a Kubernetes Indexed Job sets to each pod's completion index.
const IndexEnv = "JOB_COMPLETION_INDEX"

// Options say how the cells run: the image, the PersistentVolumeClaim holding the sweep folder and where
// it is mounted, each pod's CPU and memory (requested and limit), the Job's name, and the most cells
// running at once (0: every cell).
type Options struct {
	Image, Claim, Mount, CPU, Memory, Name string
	Parallelism                            int
}

// SettingError is a setting out of its range; Setting is its command-line name ("cpu").
type SettingError struct {
	Setting, Value, Want string
}

func (e *SettingError) Error() string { return fmt.Sprintf("%s %s: %s", e.Setting, e.Value, e.Want) }

// FinalExitCodes are the exit codes a cell would give again if it ran again (bad input, a parity
// mismatch, constraints unmet: the same plan and data fail the same way): the Job fails that cell at
// once. Anything else (an internal error, an eviction, an out-of-memory kill) is retried.
var FinalExitCodes = []int32{2, 3, 5}

// Retries is how often a cell is retried after a failure that need not come again.
const Retries = 2

// Container is the name of the container that runs the cell.
const Container = "cell"

// Build makes the Indexed Job that runs cells cells of the plan in the folder dir of the containers
// ("" for the mount itself). Image and Claim must be given.
func Build(o Options, cells int, dir string) (*batchv1.Job, error) {
	switch {
	case o.Image == "" || o.Claim == "":
		return nil, fmt.Errorf("an image and a volume claim are needed")
	case o.Parallelism < 0:
		return nil, &SettingError{"parallelism", strconv.Itoa(o.Parallelism), "want 0 (every cell at once) or more"}
	case !filepath.IsAbs(o.Mount):
		return nil, &SettingError{"mount", strconv.Quote(o.Mount), "want an absolute path"}
	}
	if msgs := validation.IsDNS1123Label(o.Name); len(msgs) > 0 {
		return nil, &SettingError{"name", strconv.Quote(o.Name), strings.Join(msgs, "; ")}
	}
	if msgs := validation.IsDNS1123Subdomain(o.Claim); len(msgs) > 0 {
		return nil, &SettingError{"dir-volume-claim", strconv.Quote(o.Claim), strings.Join(msgs, "; ")}
	}
	if dir == "" {
		dir = o.Mount
	}
	if rel, err := filepath.Rel(o.Mount, dir); !filepath.IsAbs(dir) || err != nil || !filepath.IsLocal(rel) {
		return nil, &SettingError{"out", strconv.Quote(dir), fmt.Sprintf("the sweep folder as the containers see it: want the mount (%s) or a folder in it", o.Mount)}
	}
	resources := corev1.ResourceList{}
	for name, v := range map[corev1.ResourceName]string{corev1.ResourceCPU: o.CPU, corev1.ResourceMemory: o.Memory} {
		q, err := resource.ParseQuantity(v)
		if err != nil || q.Sign() <= 0 {
			return nil, &SettingError{string(name), strconv.Quote(v), "want a positive Kubernetes quantity, such as 2, 500m or 4Gi"}
		}
		resources[name] = q
	}
	parallelism := int32(cells)
	if o.Parallelism > 0 && o.Parallelism < cells {
		parallelism = int32(o.Parallelism)
	}
	labels := map[string]string{"app.kubernetes.io/name": "fairbinn", "app.kubernetes.io/component": "sweep"}
	indexed := batchv1.IndexedCompletion
	container := Container
	return &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{Name: o.Name, Labels: labels},
		Spec: batchv1.JobSpec{
			CompletionMode:       &indexed,
			Completions:          ptr(int32(cells)),
			Parallelism:          &parallelism,
			BackoffLimitPerIndex: ptr(int32(Retries)),
			PodFailurePolicy: &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{
				{Action: batchv1.PodFailurePolicyActionFailIndex, OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{
					ContainerName: &container, Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: FinalExitCodes}},
				// A pod evicted or preempted is not the cell's failure: it runs again without counting.
				{Action: batchv1.PodFailurePolicyActionIgnore, OnPodConditions: []batchv1.PodFailurePolicyOnPodConditionsPattern{
					{Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue}}},
			}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					RestartPolicy: corev1.RestartPolicyNever,
					Containers: []corev1.Container{{
						Name:    Container,
						Image:   o.Image,
						Command: []string{"fairbinn"},
						Args:    []string{"sweep", "--cell", "$(" + IndexEnv + ")", "--out", dir},
						// The Job controller sets the index too; declared here, the $(...) above expands from it
						// on any cluster.
						Env: []corev1.EnvVar{{Name: IndexEnv, ValueFrom: &corev1.EnvVarSource{
							FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']"}}}},
						Resources:    corev1.ResourceRequirements{Requests: resources, Limits: resources},
						VolumeMounts: []corev1.VolumeMount{{Name: "sweep", MountPath: o.Mount}},
					}},
					Volumes: []corev1.Volume{{Name: "sweep", VolumeSource: corev1.VolumeSource{
						PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: o.Claim}}}},
				},
			},
		},
	}, nil
}

func ptr[T any](v T) *T { return &v }
