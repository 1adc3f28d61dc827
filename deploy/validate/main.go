// validate-manifests checks rendered Kubernetes manifests offline against the API's own Go types
// (k8s.io/api): every document must be a kind it knows, decode strictly (an unknown or misspelt field,
// or a value of the wrong type, is an error, as the API server's strict field validation would say),
// and pass a few checks the types cannot express (names, selectors matching their pod labels, probes
// and containers named). Usage: helm template ... | validate-manifests
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// ServiceMonitor is the Prometheus Operator's CRD, not in k8s.io/api: the fields the chart uses.
type ServiceMonitor struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		Selector  metav1.LabelSelector `json:"selector"`
		Endpoints []struct {
			Port          string `json:"port"`
			Path          string `json:"path,omitempty"`
			Interval      string `json:"interval,omitempty"`
			Authorization *struct {
				Type        string                    `json:"type,omitempty"`
				Credentials *corev1.SecretKeySelector `json:"credentials,omitempty"`
			} `json:"authorization,omitempty"`
		} `json:"endpoints"`
	} `json:"spec"`
}

func newObject(apiVersion, kind string) (any, bool) {
	switch apiVersion + "/" + kind {
	case "v1/ConfigMap":
		return &corev1.ConfigMap{}, true
	case "v1/Secret":
		return &corev1.Secret{}, true
	case "v1/Service":
		return &corev1.Service{}, true
	case "v1/ServiceAccount":
		return &corev1.ServiceAccount{}, true
	case "apps/v1/Deployment":
		return &appsv1.Deployment{}, true
	case "apps/v1/StatefulSet":
		return &appsv1.StatefulSet{}, true
	case "autoscaling/v2/HorizontalPodAutoscaler":
		return &autoscalingv2.HorizontalPodAutoscaler{}, true
	case "policy/v1/PodDisruptionBudget":
		return &policyv1.PodDisruptionBudget{}, true
	case "networking.k8s.io/v1/NetworkPolicy":
		return &networkingv1.NetworkPolicy{}, true
	case "monitoring.coreos.com/v1/ServiceMonitor":
		return &ServiceMonitor{}, true
	}
	return nil, false
}

// documents splits a multi-document YAML stream on its "---" lines.
func documents(r io.Reader) ([]string, error) {
	var docs []string
	var cur strings.Builder
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "---") {
			docs = append(docs, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteString(line + "\n")
	}
	docs = append(docs, cur.String())
	return docs, sc.Err()
}

func checkPod(where string, selector *metav1.LabelSelector, spec corev1.PodTemplateSpec) []string {
	var problems []string
	sel, err := metav1.LabelSelectorAsSelector(selector)
	if err != nil || sel.Empty() {
		problems = append(problems, where+": selector is empty or invalid")
	} else if !sel.Matches(labels.Set(spec.Labels)) {
		problems = append(problems, where+": selector does not match the pod template's labels")
	}
	if len(spec.Spec.Containers) == 0 {
		problems = append(problems, where+": no containers")
	}
	for _, c := range spec.Spec.Containers {
		if c.Name == "" || c.Image == "" {
			problems = append(problems, where+": a container without name or image")
		}
	}
	return problems
}

func check(obj any, where string) []string {
	var problems []string
	if m, ok := obj.(metav1.ObjectMetaAccessor); ok && m.GetObjectMeta().GetName() == "" {
		problems = append(problems, where+": metadata.name is empty")
	}
	switch o := obj.(type) {
	case *appsv1.Deployment:
		problems = append(problems, checkPod(where, o.Spec.Selector, o.Spec.Template)...)
	case *appsv1.StatefulSet:
		problems = append(problems, checkPod(where, o.Spec.Selector, o.Spec.Template)...)
	case *corev1.Service:
		if len(o.Spec.Ports) == 0 {
			problems = append(problems, where+": no ports")
		}
	case *ServiceMonitor:
		if len(o.Spec.Endpoints) == 0 {
			problems = append(problems, where+": no endpoints")
		}
	}
	return problems
}

func main() {
	docs, err := documents(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var problems []string
	kinds := map[string]int{}
	for i, doc := range docs {
		raw, err := yaml.YAMLToJSON([]byte(doc))
		if err != nil {
			problems = append(problems, fmt.Sprintf("document %d: %v", i, err))
			continue
		}
		if string(raw) == "null" {
			continue
		}
		var meta metav1.TypeMeta
		if err := json.Unmarshal(raw, &meta); err != nil {
			problems = append(problems, fmt.Sprintf("document %d: %v", i, err))
			continue
		}
		obj, known := newObject(meta.APIVersion, meta.Kind)
		where := fmt.Sprintf("%s %s (document %d)", meta.APIVersion, meta.Kind, i)
		if !known {
			problems = append(problems, where+": not a kind this validator knows")
			continue
		}
		// As the API server decodes with strict field validation: case-sensitive names, no unknown or
		// duplicate field.
		strict, err := kjson.UnmarshalStrict(raw, obj)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", where, err))
			continue
		}
		for _, e := range strict {
			problems = append(problems, fmt.Sprintf("%s: %v", where, e))
		}
		problems = append(problems, check(obj, where)...)
		kinds[meta.Kind]++
	}
	for _, p := range problems {
		fmt.Println(p)
	}
	out, _ := json.Marshal(kinds)
	fmt.Fprintln(os.Stderr, string(out))
	if len(problems) > 0 {
		os.Exit(1)
	}
}
