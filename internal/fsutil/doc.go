// Package fsutil holds the one file-writing rule of the project: outputs appear whole or not at all.
package fsutil
