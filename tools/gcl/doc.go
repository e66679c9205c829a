// Command custom-gcl is golangci-lint v2 with clarolint's module plugin
// built in: what golangci-lint custom builds from the repository's
// .custom-gcl.yml (golangci-lint's own main and a blank import of the
// plugin), made here from the module proxy alone, because golangci-lint
// custom clones golangci-lint from GitHub. The end-to-end test in this
// directory builds it and runs it as a user would.
//
// This module is apart from clarolint's so that golangci-lint and its
// requirements stay out of clarolint's go.mod; it uses the clarolint
// checkout it sits in, through a replace directive.
package main
