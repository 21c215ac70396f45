package main

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/internal/fault"
)

// k8sFlags say how the cells of a plan run on a Kubernetes cluster: one pod per cell, as an Indexed Job
// whose pods all mount the volume that holds the sweep folder.
type k8sFlags struct {
	enabled                                bool // --k8s-job
	image, claim, mount, cpu, memory, name string
	parallelism                            int
}

func (k *k8sFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&k.enabled, "k8s-job", false, "print a Kubernetes Indexed Job (batch/v1; YAML, JSON with --json) that runs every cell of the plan, one pod per cell, for kubectl apply -f -: "+
		"the cells of --plan DIR, or of the grid given (with --plan DIR too, the plan is written first)")
	fs.StringVar(&k.image, "image", "", "--k8s-job: the container `image`, with fairbinn on its PATH and the ONNX Runtime library it finds ($ONNXRUNTIME_LIB or beside the binary)")
	fs.StringVar(&k.claim, "dir-volume-claim", "", "--k8s-job: the `name` of the PersistentVolumeClaim that holds the sweep folder; every pod mounts it and writes its cell there (ReadWriteMany when pods run on several nodes)")
	fs.StringVar(&k.mount, "mount", "/data", "--k8s-job: where the claim is mounted in the containers (the sweep folder is --out there, by default the mount itself)")
	fs.IntVar(&k.parallelism, "parallelism", 0, "--k8s-job: the most `cells` running at once (0: every cell)")
	fs.StringVar(&k.cpu, "cpu", "2", "--k8s-job: the `CPU` of each pod, requested and its limit")
	fs.StringVar(&k.memory, "memory", "4Gi", "--k8s-job: the `memory` of each pod, requested and its limit")
	fs.StringVar(&k.name, "name", "fairbinn-sweep", "--k8s-job: the Job's name")
}

// k8sFinalExitCodes are the exit codes a cell would give again if it ran again (bad input, a parity
// mismatch, constraints unmet: the same plan and data fail the same way): the Job fails that cell at
// once. Anything else (an internal error, an eviction, an out-of-memory kill) is retried.
var k8sFinalExitCodes = []int32{2, 3, 5}

// k8sRetries is how often a cell is retried after a failure that need not come again.
const k8sRetries = 2

// k8sContainer is the name of the container that runs the cell.
const k8sContainer = "cell"

// job builds the Indexed Job that runs cells cells of the plan in the folder dir of the containers.
func (k *k8sFlags) job(cells int, dir string) (*batchv1.Job, error) {
	switch {
	case k.image == "":
		return nil, usagef("--k8s-job needs --image: the container image the cells run in")
	case k.claim == "":
		return nil, usagef("--k8s-job needs --dir-volume-claim: the PersistentVolumeClaim that holds the sweep folder")
	case k.parallelism < 0:
		return nil, fault.Badf("--parallelism %d: want 0 (every cell at once) or more", k.parallelism)
	case !filepath.IsAbs(k.mount):
		return nil, fault.Badf("--mount %q: want an absolute path", k.mount)
	}
	if msgs := validation.IsDNS1123Label(k.name); len(msgs) > 0 {
		return nil, fault.Badf("--name %q: %s", k.name, strings.Join(msgs, "; "))
	}
	if msgs := validation.IsDNS1123Subdomain(k.claim); len(msgs) > 0 {
		return nil, fault.Badf("--dir-volume-claim %q: %s", k.claim, strings.Join(msgs, "; "))
	}
	if dir == "" {
		dir = k.mount
	}
	if rel, err := filepath.Rel(k.mount, dir); !filepath.IsAbs(dir) || err != nil || !filepath.IsLocal(rel) {
		return nil, fault.Badf("--out %q: with --k8s-job, the sweep folder as the containers see it: want --mount (%s) or a folder in it", dir, k.mount)
	}
	resources := corev1.ResourceList{}
	for name, v := range map[corev1.ResourceName]string{corev1.ResourceCPU: k.cpu, corev1.ResourceMemory: k.memory} {
		q, err := resource.ParseQuantity(v)
		if err != nil || q.Sign() <= 0 {
			return nil, fault.Badf("--%s %q: want a positive Kubernetes quantity, such as 2, 500m or 4Gi", name, v)
		}
		resources[name] = q
	}
	parallelism := int32(cells)
	if k.parallelism > 0 && k.parallelism < cells {
		parallelism = int32(k.parallelism)
	}
	labels := map[string]string{"app.kubernetes.io/name": "fairbinn", "app.kubernetes.io/component": "sweep"}
	indexed := batchv1.IndexedCompletion
	container := k8sContainer
	return &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{Name: k.name, Labels: labels},
		Spec: batchv1.JobSpec{
			CompletionMode:       &indexed,
			Completions:          ptr(int32(cells)),
			Parallelism:          &parallelism,
			BackoffLimitPerIndex: ptr(int32(k8sRetries)),
			PodFailurePolicy: &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{
				{Action: batchv1.PodFailurePolicyActionFailIndex, OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{
					ContainerName: &container, Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: k8sFinalExitCodes}},
				// A pod evicted or preempted is not the cell's failure: it runs again without counting.
				{Action: batchv1.PodFailurePolicyActionIgnore, OnPodConditions: []batchv1.PodFailurePolicyOnPodConditionsPattern{
					{Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue}}},
			}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					RestartPolicy: corev1.RestartPolicyNever,
					Containers: []corev1.Container{{
						Name:    k8sContainer,
						Image:   k.image,
						Command: []string{"fairbinn"},
						Args:    []string{"sweep", "--cell", "$(" + cellIndexEnv + ")", "--out", dir},
						// The Job controller sets the index too; declared here, the $(...) above expands from it
						// on any cluster.
						Env: []corev1.EnvVar{{Name: cellIndexEnv, ValueFrom: &corev1.EnvVarSource{
							FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']"}}}},
						Resources:    corev1.ResourceRequirements{Requests: resources, Limits: resources},
						VolumeMounts: []corev1.VolumeMount{{Name: "sweep", MountPath: k.mount}},
					}},
					Volumes: []corev1.Volume{{Name: "sweep", VolumeSource: corev1.VolumeSource{
						PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: k.claim}}}},
				},
			},
		},
	}, nil
}

func ptr[T any](v T) *T { return &v }

// runK8sJob prints the Job for the plan in --plan DIR, or for the grid on the command line (written into
// --plan DIR first when given).
func (c *sweepCmd) runK8sJob(env *cmdEnv) error {
	var p *fairbinn.SweepPlan
	var err error
	switch {
	case c.f.given()["backbone"] && c.planDir != "":
		p, err = c.writePlan(c.planDir, env)
	case c.f.given()["backbone"]:
		p, err = c.newPlan("")
	case c.planDir != "":
		p, err = fairbinn.ReadSweepPlan(c.planDir)
	default:
		return usagef("--k8s-job needs the plan (--plan DIR) or the grid (--backbone, --data, --position and the grid flags)")
	}
	if err != nil {
		return err
	}
	job, err := c.k8s.job(len(p.Cells), c.dir)
	if err != nil {
		return err
	}
	if c.planDir == "" {
		fmt.Fprintf(env.stderr, "%d cells; the pods read the plan from the sweep folder: write it there with --plan\n", len(p.Cells))
	}
	if env.json {
		return writeJSON(env.stdout, job)
	}
	out, err := yaml.Marshal(job)
	if err != nil {
		return err
	}
	_, err = env.stdout.Write(out)
	return err
}
