# hostname and domainname (runtime-spec 1.0.2) in a new uts namespace.
.hostname = "oci-check-host" | .domainname = "oci.example.org"
