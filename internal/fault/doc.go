// Package fault classifies errors by whose fault they are, so that the command line can turn any error
// into its exit code without a list of the errors each package returns: an error in the chain that says
// its Kind decides (the outermost one wins), a missing or unreadable file is the user's to fix, and
// everything else is an internal error.
package fault
