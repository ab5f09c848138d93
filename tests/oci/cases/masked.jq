# maskedPaths and readonlyPaths of our own, on a writable root so that read-only means the path.
.root.readonly = false
| .linux.maskedPaths += ["/secret-dir", "/secret-file", "/no-such-path"]
| .linux.readonlyPaths += ["/ro-dir", "/ro-file", "/no-such-ro-path"]
