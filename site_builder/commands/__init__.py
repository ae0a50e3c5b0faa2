"""The command line: build, check, import, scan, serve (validate-policy and try-policy are in policy/)."""
