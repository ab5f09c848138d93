#!/usr/bin/env bats
# dock build: Dockerfile instructions, stages, the cache, failures (see src/frontend/build/build.h).

load dock-helpers

setup() {
	dock_setup
	dk_load
	C=$T/ctx
	mkdir -p "$C"
}

# the http server of the ADD URL tests, then the usual checks
teardown() {
	[ -f "$T/http.pid" ] && kill "$(cat "$T/http.pid")" 2>/dev/null
	dock_teardown
}

# serve DIR on 127.0.0.1 (this test's network namespace); sets $port
http_serve() {
	port=$((20000 + RANDOM % 20000))
	python3 -m http.server --bind 127.0.0.1 --directory "$1" "$port" >"$T/http.log" 2>&1 &
	echo $! >"$T/http.pid"
	for i in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
}

# bi IMAGE FORMAT: image inspect --format
bi() { dk image inspect "$1" --format "$2"; }

@test "build: config instructions, ENV/ARG scoping, WORKDIR, COPY, RUN; run the image" {
	echo hello >"$C/f.txt"
	cat >"$C/Dockerfile" <<'EOF2'
FROM busybox
ARG V=1
ENV A=hello B=$V
WORKDIR /app
WORKDIR sub
COPY f.txt ./
RUN echo "run $A $V" && cat f.txt > out.txt
LABEL x=y "z w"="1 2"
EXPOSE 80 53/udp
VOLUME /data
USER 1:2
STOPSIGNAL SIGINT
MAINTAINER someone
CMD ["cat", "/app/sub/out.txt"]
EOF2
	run dk build -t bx "$C"
	[ "$status" -eq 0 ]
	[[ $output == *"Step 7/14 : RUN echo"* ]]
	[[ $output == *"run hello 1"* ]]
	[[ $output == *"Successfully tagged bx:latest"* ]]
	[ "$(bi bx '{{json .Config.Env}}')" = '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","A=hello","B=1"]' ]
	[ "$(bi bx '{{.Config.WorkingDir}}')" = /app/sub ]
	[ "$(bi bx '{{json .Config.Labels}}')" = '{"x":"y","z w":"1 2"}' ]
	[ "$(bi bx '{{json .Config.ExposedPorts}}')" = '{"53/udp":{},"80/tcp":{}}' ] || [ "$(bi bx '{{json .Config.ExposedPorts}}')" = '{"80/tcp":{},"53/udp":{}}' ]
	[ "$(bi bx '{{json .Config.Volumes}}')" = '{"/data":{}}' ]
	[ "$(bi bx '{{.Config.User}}')" = 1:2 ]
	[ "$(bi bx '{{.Config.StopSignal}}')" = SIGINT ]
	[ "$(bi bx '{{.Author}}')" = someone ]
	run dk run --rm -u 0 bx
	[ "$output" = hello ]
	# history: one entry per step, config-only ones empty
	run dk history --no-trunc --format '{{.CreatedBy}}|{{.Size}}' bx
	[[ ${lines[0]} == *'CMD ["cat" "/app/sub/out.txt"]|0B' ]]
	[[ $output == *'|1 V=1 /bin/sh -c echo "run $A $V"'* ]]
	[ "$(dk history -q bx | wc -l)" -eq 14 ]
	# the ARG is not in the image's env
	run dk run --rm -u 0 bx sh -c 'echo "[$V]"'
	[ "$output" = "[]" ]
}

@test "build: CMD/ENTRYPOINT/SHELL/HEALTHCHECK forms" {
	cat >"$C/Dockerfile" <<'EOF2'
FROM busybox
CMD echo from-cmd
ENTRYPOINT ["echo", "ep"]
SHELL ["/bin/sh", "-ec"]
RUN echo shell-ok
HEALTHCHECK --interval=5s --retries=3 CMD true
EOF2
	run dk build -t f1 "$C"
	[ "$status" -eq 0 ]
	# CMD set in this stage survives the ENTRYPOINT
	[ "$(bi f1 '{{json .Config.Cmd}}')" = '["/bin/sh","-c","echo from-cmd"]' ]
	[ "$(bi f1 '{{json .Config.Entrypoint}}')" = '["echo","ep"]' ]
	[ "$(bi f1 '{{json .Config.Shell}}')" = '["/bin/sh","-ec"]' ]
	[ "$(bi f1 '{{json .Config.Healthcheck}}')" = '{"Test":["CMD-SHELL","true"],"Interval":5000000000,"Retries":3}' ]
	dk history --format '{{.CreatedBy}}' f1 | grep -q '^/bin/sh -ec echo shell-ok'
	# a base's CMD is dropped by an ENTRYPOINT; HEALTHCHECK NONE
	printf 'FROM f1\nENTRYPOINT ["sh"]\nHEALTHCHECK NONE\n' >"$C/Dockerfile"
	run dk build -t f2 "$C"
	[ "$status" -eq 0 ]
	[ "$(bi f2 '{{json .Config.Cmd}}')" = null ]
	[ "$(bi f2 '{{json .Config.Healthcheck.Test}}')" = '["NONE"]' ]
}

@test "build: COPY rules: several sources, wildcards, directories, --chown, --chmod, ADD tar" {
	mkdir -p "$C/d/sub" "$C/t"
	echo a >"$C/a.txt"
	echo b >"$C/b.txt"
	echo in >"$C/d/sub/x"
	echo tarred >"$C/t/inner"
	tar -C "$C/t" -czf "$C/arch.tar.gz" inner
	cat >"$C/Dockerfile" <<'EOF2'
FROM busybox
COPY a.txt b.txt /two/
COPY *.txt /glob/
COPY d /dir
COPY a.txt /renamed
COPY --chown=nobody:nogroup --chmod=600 a.txt /owned
COPY --chown=7 b.txt /num
ADD arch.tar.gz /x/
EOF2
	run dk build -t cp "$C"
	[ "$status" -eq 0 ]
	run dk run --rm cp sh -c 'cat /two/a.txt /two/b.txt /glob/a.txt /dir/sub/x /renamed /x/inner; stat -c "%u:%g %a" /owned /num'
	[ "${lines[0]}" = a ]
	[ "${lines[1]}" = b ]
	[ "${lines[2]}" = a ]
	[ "${lines[3]}" = in ]
	[ "${lines[4]}" = a ]
	[ "${lines[5]}" = tarred ]
	[ "${lines[6]}" = "65534:65534 600" ]
	[ "${lines[7]}" = "7:7 644" ]
	# several sources need a directory destination
	printf 'FROM busybox\nCOPY a.txt b.txt /nodir\n' >"$C/Dockerfile"
	run dk build "$C"
	[ "$status" -ne 0 ]
	[[ $output == *"must be a directory"* ]]
}

@test "build: multistage: --from by name, index and image; --target builds only what it needs" {
	cat >"$C/Dockerfile" <<'EOF2'
FROM busybox AS first
RUN echo one > /one
FROM busybox AS unused
RUN echo should-not-run
FROM busybox AS final
COPY --from=first /one /from-name
COPY --from=0 /one /from-index
COPY --from=busybox /bin/busybox /bb
FROM first AS other
RUN cat /one
EOF2
	run dk build -t ms --target final "$C"
	[ "$status" -eq 0 ]
	[[ $output != *should-not-run* ]]
	run dk run --rm ms sh -c 'cat /from-name /from-index; test -x /bb && echo bb'
	[ "$output" = "one
one
bb" ]
	run dk build -t ms2 "$C"
	[ "$status" -eq 0 ]
	[[ $output == *"one"* ]]
}

@test "build: ONBUILD triggers run in the child build" {
	printf 'FROM busybox\nONBUILD RUN echo triggered > /trig\n' >"$C/Dockerfile"
	run dk build -t ob "$C"
	[ "$status" -eq 0 ]
	[ "$(bi ob '{{json .Config.OnBuild}}')" = '["RUN echo triggered > /trig"]' ]
	printf 'FROM ob\n' >"$C/Dockerfile"
	run dk build -t ob2 "$C"
	[ "$status" -eq 0 ]
	[[ $output == *"Executing 1 build trigger"* ]]
	[ "$(dk run --rm ob2 cat /trig)" = triggered ]
	[ "$(bi ob2 '{{json .Config.OnBuild}}')" = null ]
}

@test "build: .dockerignore keeps files out of the context" {
	mkdir -p "$C/d"
	echo keep >"$C/d/keep"
	echo secret >"$C/d/secret.key"
	printf '*.log\nd/*.key\n' >"$C/.dockerignore"
	echo x >"$C/a.log"
	printf 'FROM busybox\nCOPY . /ctx\n' >"$C/Dockerfile"
	run dk build -t ig "$C"
	[ "$status" -eq 0 ]
	run dk run --rm ig find /ctx -type f
	[[ $output == *"/ctx/d/keep"* ]]
	[[ $output != *secret* ]]
	[[ $output != *a.log* ]]
	printf 'FROM busybox\nCOPY a.log /\n' >"$C/Dockerfile"
	run dk build "$C"
	[ "$status" -ne 0 ]
}

@test "build: the cache: a rebuild reuses every step; a changed file invalidates from its COPY on" {
	echo 1 >"$C/f"
	printf 'FROM busybox\nENV A=1\nRUN echo ran-a\nCOPY f /f\nRUN echo ran-b\n' >"$C/Dockerfile"
	run dk build -t c1 "$C"
	[ "$status" -eq 0 ]
	[[ $output == *ran-a* ]]
	id1=$(bi c1 '{{.Id}}')
	run dk build -t c1 "$C"
	[ "$status" -eq 0 ]
	[ "$(grep -c 'Using cache' <<<"$output")" -eq 4 ]
	[[ $output != *"Running in"* ]]
	[ "$(bi c1 '{{.Id}}')" = "$id1" ]
	echo 2 >"$C/f"
	run dk build -t c1 "$C"
	[ "$status" -eq 0 ]
	[ "$(grep -c 'Using cache' <<<"$output")" -eq 2 ]
	[[ $output == *ran-b* ]]
	[ "$(dk run --rm c1 cat /f)" = 2 ]
	run dk build --no-cache -t c1 "$C"
	[[ $output != *"Using cache"* ]]
	# --build-arg in use is part of the key
	printf 'FROM busybox\nARG X=1\nRUN echo "x=$X"\n' >"$C/Dockerfile"
	dk build "$C" >/dev/null
	run dk build --build-arg X=2 "$C"
	[[ $output == *"x=2"* ]]
}

@test "build: -q, --iidfile, --label, a Dockerfile from stdin, -f" {
	printf 'FROM busybox\nRUN echo quiet-out\n' >"$C/Other"
	run dk build -q -f Other --iidfile "$T/iid" --label k=v -t q1 "$C"
	[ "$status" -eq 0 ]
	[[ $output != *quiet-out* ]]
	[[ $output == sha256:* ]]
	[ "$(cat "$T/iid")" = "$output" ]
	[ "$(bi q1 '{{.Config.Labels.k}}')" = v ]
	run dk build -t s1 - <<<$'FROM busybox\nCMD ["stdin"]'
	[ "$status" -eq 0 ]
	[ "$(bi s1 '{{json .Config.Cmd}}')" = '["stdin"]' ]
}

@test "build: failures exit non-zero and tag nothing, leave no container" {
	echo x >"$C/f"
	printf 'FROM busybox\nRUN false\n' >"$C/Dockerfile"
	run dk build -t bad "$C"
	[ "$status" -ne 0 ]
	[[ $output == *"The command '/bin/sh -c false' returned a non-zero code: 1"* ]]
	printf 'FROM busybox\nCOPY nope /\n' >"$C/Dockerfile"
	run dk build -t bad "$C"
	[ "$status" -ne 0 ]
	[[ $output == *"file not found"* ]]
	printf 'FROM busybox\nCOPY ../x /\n' >"$C/Dockerfile"
	run dk build -t bad "$C"
	[ "$status" -ne 0 ]
	[[ $output == *"outside the build context"* ]]
	ln -s /etc/passwd "$C/link"
	printf 'FROM busybox\nCOPY link /\n' >"$C/Dockerfile"
	run dk build -t bad "$C"
	[ "$status" -ne 0 ]
	[[ $output == *"outside the build context"* ]]
	printf 'FROM busybox\nFOO bar\n' >"$C/Dockerfile"
	run dk build -t bad "$C"
	[ "$status" -ne 0 ]
	[[ $output == *"unknown instruction"* ]]
	printf 'FROM nosuchimage\n' >"$C/Dockerfile"
	run dk build -t bad "$C"
	[ "$status" -ne 0 ]
	printf 'FROM busybox\nADD http://127.0.0.1:1/x /\n' >"$C/Dockerfile"
	run dk build -t bad "$C"
	[ "$status" -ne 0 ]
	run dk image inspect bad
	[ "$status" -ne 0 ]
	[ -z "$(dk ps -aq)" ]
}

@test "build: the steps' images are intermediate: hidden from images (shown by -a), kept by image prune, freed by builder prune" {
	cat >"$C/Dockerfile" <<'EOF2'
FROM busybox
RUN echo one >/one
ENV X=1
RUN echo two >/two
EOF2
	dk build -q -t inter "$C" >/dev/null
	run dk images --format '{{.Repository}}'
	[[ $output != *"<none>"* ]]
	run dk images -a --format '{{.Repository}}'
	[[ $(grep -c '<none>' <<<"$output") -eq 2 ]]
	run dk images -q --filter dangling=true
	[[ -z $output ]]
	dk image prune -f >/dev/null
	[[ $(dk images -aq | wc -l) -eq 4 ]]
	# a rebuild still hits the cache
	run dk build -t inter "$C"
	[[ $(grep -c 'Using cache' <<<"$output") -eq 3 ]]
	dk builder prune -f >/dev/null
	dk rmi inter >/dev/null
	dk image prune -f >/dev/null
	[[ $(dk images -aq | wc -l) -eq 1 ]]
}

@test "build: COPY/ADD heredocs: several, <<-, a quoted delimiter keeps \$ literal" {
	printf 'FROM busybox\nARG WHO=world\nCOPY <<EOF /hello\nhello $WHO\nEOF\nCOPY <<-A <<"B" /multi/\n\tfirst ${WHO:-x}\n\tA\nsecond $WHO\nB\nADD <<EOF /added.txt\nadded\nEOF\n' >"$C/Dockerfile"
	run dk build -t hd "$C"
	[ "$status" -eq 0 ]
	run dk run --rm hd sh -c 'cat /hello /multi/A /multi/B /added.txt; stat -c "%a %u" /hello'
	[ "${lines[0]}" = "hello world" ]
	[ "${lines[1]}" = "first world" ]
	[ "${lines[2]}" = 'second $WHO' ]
	[ "${lines[3]}" = added ]
	[ "${lines[4]}" = "644 0" ]
}

@test "build: RUN heredocs: a script, a command reading it as stdin, a shebang script" {
	cat >"$C/Dockerfile" <<'EOF2'
FROM busybox
RUN <<EOF
echo one > /r1
echo two >> /r1
EOF
RUN cat > /r2 <<EOF
as stdin
EOF
RUN <<EOF
#!/bin/sh -e
echo "shebang $0" > /r3
EOF
RUN cat >/r4 <<'EOF'
quoted $HOME
EOF
RUN python3 2>/dev/null <<EOF || sh <<XX
print("not here")
EOF
echo "second of two: \$0=\$0" > /r5
XX
EOF2
	run dk build -t rh "$C"
	[ "$status" -eq 0 ]
	run dk run --rm rh sh -c 'cat /r1 /r2 /r3 /r4 /r5'
	[ "${lines[0]}" = one ]
	[ "${lines[1]}" = two ]
	[ "${lines[2]}" = "as stdin" ]
	[ "${lines[3]}" = "shebang /dev/pipes/EOF" ]
	[ "${lines[4]}" = 'quoted $HOME' ]
	[ "${lines[5]}" = 'second of two: sh=sh' ]
}

@test "build: SOURCE_DATE_EPOCH (environment or --build-arg) makes a rebuild give the same image ID" {
	echo data >"$C/f"
	printf 'FROM busybox\nCOPY f /f\nRUN echo ran > /r && mkdir -p /d\nWORKDIR /w\nENV A=1\n' >"$C/Dockerfile"
	id1=$(SOURCE_DATE_EPOCH=1700000000 dk build -q --no-cache "$C")
	sleep 1.1
	touch "$C/f"
	id2=$(SOURCE_DATE_EPOCH=1700000000 dk build -q --no-cache "$C")
	[ -n "$id1" ]
	[ "$id1" = "$id2" ]
	id3=$(dk build -q --no-cache --build-arg SOURCE_DATE_EPOCH=1700000000 "$C")
	[ "$id3" = "$id1" ]
	[ "$(bi "$id1" '{{.Created}}')" = 2023-11-14T22:13:20Z ]
	[[ $(dk history --format '{{.CreatedAt}}' "$id1" | head -1) == 2023-11-14T22:13:20* ]]
	# the layers' times are clamped: nothing newer than the epoch
	run dk run --rm "$id1" stat -c %Y /r /d /w
	[ "$output" = "1700000000
1700000000
1700000000" ]
	# without it, two builds differ
	a=$(dk build -q --no-cache "$C")
	sleep 1.1
	b=$(dk build -q --no-cache "$C")
	[ "$a" != "$b" ]
}

@test "build: # escape=\` directive with backtick continuations; # syntax= is accepted and ignored" {
	printf '# syntax=docker/dockerfile:1\n# escape=`\nFROM busybox\nENV P=C:\\\\dir\nRUN echo one `\n    two > /out\nCOPY `\n  f /f\nLABEL a="x`"y"\n' >"$C/Dockerfile"
	echo ff >"$C/f"
	cat "$C/Dockerfile"
	run dk build -t esc "$C"
	[ "$status" -eq 0 ]
	[[ $output == *"Step 3/5 : RUN echo one     two > /out"* ]]
	[ "$(dk run --rm esc cat /out /f)" = "one two
ff" ]
	[ "$(bi esc '{{index .Config.Env 1}}')" = 'P=C:\\dir' ]
	[ "$(bi esc '{{.Config.Labels.a}}')" = 'x"y' ]
}

@test "build: ADD http://… downloads with the network allowed: basename, mode 600, not extracted, Last-Modified, --checksum" {
	mkdir -p "$T/www/sub"
	echo served >"$T/www/file.txt"
	echo inner >"$T/inner"
	tar -C "$T" -czf "$T/www/sub/arch.tar.gz" inner
	touch -d @1600000000 "$T/www/file.txt"
	http_serve "$T/www"
	sum=$(sha256sum "$T/www/file.txt" | cut -d' ' -f1)
	u=http://127.0.0.1:$port
	printf 'FROM busybox\nADD %s/file.txt /dl/\nADD %s/sub/arch.tar.gz /arch/\nADD --checksum=sha256:%s %s/file.txt /named\n' "$u" "$u" "$sum" "$u" >"$C/Dockerfile"
	# refused without the network
	run dk build "$C"
	[ "$status" -ne 0 ]
	[[ $output == *"needs the network"* ]]
	run dk build --network host -t dl "$C"
	[ "$status" -eq 0 ]
	run dk run --rm dl sh -c 'cat /dl/file.txt /named; stat -c "%a %u %Y" /dl/file.txt; ls /arch'
	[ "${lines[0]}" = served ]
	[ "${lines[1]}" = served ]
	[ "${lines[2]}" = "600 0 1600000000" ]
	[ "${lines[3]}" = arch.tar.gz ]
}

@test "build: ADD --checksum mismatch fails; a failed download fails the build" {
	mkdir -p "$T/www"
	echo served >"$T/www/file.txt"
	http_serve "$T/www"
	printf 'FROM busybox\nADD --checksum=sha256:%064d http://127.0.0.1:%s/file.txt /f\n' 0 "$port" >"$C/Dockerfile"
	run dk build --network default -t bad "$C"
	s1=$status o1=$output
	printf 'FROM busybox\nADD http://127.0.0.1:%s/missing /f\n' "$port" >"$C/Dockerfile"
	run dk build --network host -t bad "$C"
	[ "$s1" -ne 0 ]
	[[ $o1 == *"digest mismatch"* ]]
	[ "$status" -ne 0 ]
	[[ $output == *"404"* ]]
	run dk image inspect bad
	[ "$status" -ne 0 ]
}
