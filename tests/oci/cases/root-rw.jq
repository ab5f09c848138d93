# A writable root.
.root.readonly = false
