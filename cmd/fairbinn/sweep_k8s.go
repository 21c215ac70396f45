package main

import (
	"errors"
	"flag"
	"fmt"

	batchv1 "k8s.io/api/batch/v1"
	"sigs.k8s.io/yaml"

	"github.com/fairbinn/fairbinn-go"
	"github.com/fairbinn/fairbinn-go/internal/fault"
	"github.com/fairbinn/fairbinn-go/k8sjob"
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

// job builds the Indexed Job that runs cells cells of the plan in the folder dir of the containers.
func (k *k8sFlags) job(cells int, dir string) (*batchv1.Job, error) {
	switch {
	case k.image == "":
		return nil, usagef("--k8s-job needs --image: the container image the cells run in")
	case k.claim == "":
		return nil, usagef("--k8s-job needs --dir-volume-claim: the PersistentVolumeClaim that holds the sweep folder")
	}
	job, err := k8sjob.Build(k8sjob.Options{Image: k.image, Claim: k.claim, Mount: k.mount, CPU: k.cpu, Memory: k.memory,
		Name: k.name, Parallelism: k.parallelism}, cells, dir)
	var se *k8sjob.SettingError
	if errors.As(err, &se) {
		return nil, fault.Badf("--%s", se)
	}
	return job, err
}

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
