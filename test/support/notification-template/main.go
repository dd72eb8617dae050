// Renders an Argo CD notification template body the way Argo CD's notifications controller does:
// Go's text/template with Sprig's functions but env and expandenv (notifications-engine
// pkg/templates/service.go NewService; pkg/services/webhook.go GetTemplater), executed on the
// variables the controller passes (util/notification/settings/settings.go: "app" is the
// Application as unstructured JSON, "context" the context map).
//
// Reads {"template": "...", "vars": {...}} on standard input, writes the rendered body to
// standard output; a parse or execution error goes to standard error with exit status 1.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"text/template"

	"github.com/Masterminds/sprig/v3"
)

type request struct {
	Template string                 `json:"template"`
	Vars     map[string]interface{} `json:"vars"`
}

func main() {
	var req request
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		fmt.Fprintln(os.Stderr, "reading the request:", err)
		os.Exit(1)
	}
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	tmpl, err := template.New("body").Funcs(funcs).Parse(req.Template)
	if err != nil {
		fmt.Fprintln(os.Stderr, "parse:", err)
		os.Exit(1)
	}
	if err := tmpl.Execute(os.Stdout, req.Vars); err != nil {
		fmt.Fprintln(os.Stderr, "execute:", err)
		os.Exit(1)
	}
}
