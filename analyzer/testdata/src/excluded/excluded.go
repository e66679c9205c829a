// Package excluded has files that build constraints leave out of every
// build that analysistest makes: their keys are found in the literals alone.
package excluded
