# hostname in a new uts namespace.
.hostname = "oci-check-host"
