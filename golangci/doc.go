// Package golangci registers the clarolint analyzer as a golangci-lint v2
// module plugin named clarolint. A golangci-lint build that imports it,
// such as the one golangci-lint custom makes from the repository's
// .custom-gcl.yml, runs the analyzer as the linter clarolint once
// .golangci.yml enables it:
//
//	linters:
//	  enable: [clarolint]
//	  settings:
//	    custom:
//	      clarolint:
//	        type: module
//	        settings:
//	          test-keys: report   # or ignore
//	          entropy: 4.0        # 0 turns the entropy check off
//
// The plugin needs type information (load mode typesinfo): the analyzer
// reads the constants that the type checker folds. The package registers
// the plugin when it is initialised, as golangci-lint's plugin contract
// requires, and depends on nothing of golangci-lint but its small
// registration module, so that golangci-lint stays out of clarolint's
// go.mod and out of clarolint-vet.
package golangci
