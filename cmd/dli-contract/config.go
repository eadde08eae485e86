package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// listFlags take a comma-separated list, which a config file may give as
// a YAML sequence.
var listFlags = []string{"checks", "exclude-checks", "include-operation", "exclude-operation"}

// variable is ${NAME} in a config file's value.
var variable = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// loadConfig sets, from the YAML file at path, every flag the command
// line did not: its keys are the flags' names (endpoint:, mock: true,
// vpc-id:), and ${NAME} in a value is the environment variable NAME,
// which must be set. Nothing is set unless the whole file is right; an
// error names the file, the key and what was expected, never a value.
func loadConfig(fs *flag.FlagSet, path string, getenv func(string) string) error {
	raw, err := os.ReadFile(path) //nolint:gosec // the config file the user named
	if err != nil {
		return fmt.Errorf("-config: %w", err)
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("-config %s: not YAML: %w", path, err)
	}
	if len(doc.Content) == 0 {
		return nil // an empty file sets nothing
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return fmt.Errorf("-config %s: want a mapping of flag names to values (endpoint: https://...), not a %s", path, kindName(top.Kind))
	}
	values := map[string]string{}
	var order []string
	for i := 0; i+1 < len(top.Content); i += 2 {
		key, val := top.Content[i], top.Content[i+1]
		name := key.Value
		f := fs.Lookup(name)
		switch {
		case f == nil || name == "config":
			return fmt.Errorf("-config %s:%d: no option %q; the keys are the flags' names without the dash (see -h)", path, key.Line, name)
		case slices.Contains(order, name):
			return fmt.Errorf("-config %s:%d: %s is given twice", path, key.Line, name)
		}
		v, err := scalar(val, slices.Contains(listFlags, name))
		if err != nil {
			return fmt.Errorf("-config %s:%d: %s: %w", path, val.Line, name, err)
		}
		if v, err = expand(v, getenv); err != nil {
			return fmt.Errorf("-config %s:%d: %s: %w", path, val.Line, name, err)
		}
		values[name] = v
		order = append(order, name)
	}
	// The command line wins; what it left, the file sets, each value
	// checked by its flag as if typed.
	for _, name := range order {
		if visited(fs, name) {
			continue
		}
		if err := fs.Set(name, values[name]); err != nil {
			got := "the value"
			if !slices.Contains(secretFlags, name) {
				got = strconv.Quote(values[name])
			}
			return fmt.Errorf("-config %s: %s: %s is not %s", path, name, got, expected(fs.Lookup(name)))
		}
	}
	return nil
}

// scalar is a YAML value as a flag's text: a scalar as written, or, for a
// list flag, a sequence of scalars joined by commas.
func scalar(n *yaml.Node, list bool) (string, error) {
	switch {
	case n.Kind == yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "", nil
		}
		return n.Value, nil
	case n.Kind == yaml.SequenceNode && list:
		parts := make([]string, 0, len(n.Content))
		for _, item := range n.Content {
			if item.Kind != yaml.ScalarNode {
				return "", fmt.Errorf("want a list of names, found a %s in it", kindName(item.Kind))
			}
			parts = append(parts, item.Value)
		}
		return strings.Join(parts, ","), nil
	}
	return "", fmt.Errorf("want one value, not a %s", kindName(n.Kind))
}

// expand replaces each ${NAME} with the environment variable NAME.
func expand(v string, getenv func(string) string) (string, error) {
	var missing []string
	out := variable.ReplaceAllStringFunc(v, func(m string) string {
		name := variable.FindStringSubmatch(m)[1]
		got := getenv(name)
		if got == "" {
			missing = append(missing, name)
		}
		return got
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("${%s} is not set in the environment", strings.Join(missing, "}, ${"))
	}
	return out, nil
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return "alias"
	}
	return "value"
}

// expected says what a flag takes.
func expected(f *flag.Flag) string {
	kind, _ := flag.UnquoteUsage(f)
	switch kind {
	case "":
		return "true or false"
	case "duration":
		return "a duration, such as 30s or 10m"
	case "int", "uint":
		return "a whole number"
	case "float":
		return "a number"
	}
	return "valid"
}
