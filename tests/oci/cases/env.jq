# Environment values with spaces, an empty value, '=' inside a value, non-ASCII.
.process.env += ["FOO=bar", "SPACED=hello  world", "EMPTY=", "EQUALS=a=b=c", "UTF8=héllo wörld", "TAB=a\tb"]
