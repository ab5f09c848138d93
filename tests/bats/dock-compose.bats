#!/usr/bin/env bats
# dock compose (issue 16): files, merge, interpolation, and a project's life (up, ps, logs,
# exec, run, stop/start, down) over busybox, in the test's own network namespace.
#
# Run inside a private mount and network namespace, as the other dock files:
#   unshare -m -n --propagation private sh -c 'ip link set lo up && exec bats --tap tests/bats/dock-compose.bats'

load dock-helpers

setup() {
	dock_setup
	dk_load
	P=$T/shop
	mkdir -p "$P/www"
	echo "hello from web" >"$P/www/index.html"
	cd "$P"
}

teardown() {
	cd /
	dock_teardown
}

# the two-service project: web serves ./www (and only becomes healthy, and only listens, two
# seconds after it starts), client fetches from it by its service name once it is healthy
write_project() {
	cat >"$P/compose.yaml" <<-'EOF'
		services:
		  web:
		    image: busybox
		    command: ["sh", "-c", "sleep 2 && touch /tmp/ready && exec httpd -f -p 80 -h /www"]
		    volumes:
		      - ./www:/www:ro
		      - data:/data
		    healthcheck:
		      test: ["CMD", "test", "-f", "/tmp/ready"]
		      interval: 500ms
		      retries: 20
		    stop_grace_period: 1s
		  client:
		    image: busybox
		    command: sh -c 'wget -q -O- http://web/ && echo fetched-ok; exec sleep 600'
		    stop_signal: SIGKILL
		    depends_on:
		      web:
		        condition: service_healthy
		volumes:
		  data:
	EOF
}

@test "compose up -d: services reach each other by name, in depends_on order; ps, logs, exec" {
	write_project
	run dk compose up -d
	assert_success
	# client waited for web's healthcheck: its first fetch succeeded
	run dk compose logs client
	assert_success
	assert_output_has "client-1  | hello from web"
	assert_output_has "client-1  | fetched-ok"
	# compose v2's names and labels
	run dk ps --filter label=com.docker.compose.project=shop --format '{{.Names}}'
	assert_success
	[[ $(echo "$output" | sort | tr '\n' ' ') == "shop-client-1 shop-web-1 " ]]
	run dk inspect -f '{{index .Config.Labels "com.docker.compose.service"}} {{index .Config.Labels "com.docker.compose.container-number"}} {{index .Config.Labels "com.docker.compose.oneoff"}}' shop-web-1
	assert_success
	[[ $output == "web 1 False" ]]
	run dk compose ps
	assert_success
	[[ ${lines[0]} == "NAME "*" IMAGE "*" COMMAND "*" SERVICE "*" CREATED "*" STATUS "*" PORTS" ]]
	[[ $(echo "$output" | grep '^shop-web-1 ') == *" busybox "*" web "*" Up "* ]]
	assert_output_has shop-client-1
	run dk compose ps -q
	[[ $(echo "$output" | wc -l) == 2 ]]
	run dk compose exec -T client wget -q -O- http://web/
	assert_success
	[[ $output == "hello from web" ]]
	run dk compose exec -T web cat /www/index.html
	[[ $output == "hello from web" ]]
	run dk network ls --format '{{.Name}}'
	assert_output_has shop_default
	run dk volume ls --format '{{.Name}}'
	assert_output_has shop_data
	run dk compose ls
	assert_success
	assert_output_has "shop"
	assert_output_has "running(2)"
	# a second up leaves unchanged containers running
	id=$(dk inspect -f '{{.Id}}' shop-web-1)
	run dk compose up -d
	assert_success
	[[ $(dk inspect -f '{{.Id}}' shop-web-1) == "$id" ]]

	run dk compose down
	assert_success
	run dk ps -a --filter label=com.docker.compose.project=shop -q
	[[ -z $output ]]
	run dk network ls --format '{{.Name}}'
	[[ $output != *shop_default* ]]
	# without -v the named volume stays
	run dk volume ls --format '{{.Name}}'
	assert_output_has shop_data
	dk compose up -d >/dev/null 2>&1
	run dk compose down -v
	assert_success
	run dk volume ls --format '{{.Name}}'
	[[ $output != *shop_data* ]]
}

@test "compose up without -d prints each service's lines with its prefix and returns when they exit" {
	cat >compose.yaml <<-'EOF'
		services:
		  one:
		    image: busybox
		    command: echo first line
		  two:
		    image: busybox
		    command: ["echo", "second line"]
	EOF
	run dk compose up
	assert_success
	assert_output_has "one-1  | first line"
	assert_output_has "two-1  | second line"
	dk compose down >/dev/null 2>&1
}

@test "compose -f A -f B: maps merged, command replaced, environment and ports merged" {
	cat >base.yaml <<-'EOF'
		services:
		  app:
		    image: busybox
		    command: echo base
		    environment:
		      A: from-base
		      B: from-base
		    ports:
		      - "8001:80"
	EOF
	cat >over.yaml <<-'EOF'
		services:
		  app:
		    command: ["sh", "-c", "echo $$A $$B $$C"]
		    environment:
		      - B=from-over
		      - C=added
		    ports:
		      - "8002:81"
	EOF
	run dk compose -f base.yaml -f over.yaml config
	assert_success
	assert_output_has "A: from-base"
	assert_output_has "B: from-over"
	assert_output_has "C: added"
	assert_output_has '"8001:80"'
	assert_output_has '"8002:81"'
	[[ $output != *"echo base"* ]]
	run dk compose -f base.yaml -f over.yaml run --rm -T app
	assert_success
	[[ $output == *"from-base from-over added"* ]]
	# --rm: nothing left of the one-off container
	run dk ps -a -q --filter label=com.docker.compose.oneoff=True
	[[ -z $output ]]
	dk compose -f base.yaml -f over.yaml down >/dev/null 2>&1
}

@test "compose: interpolation from .env and the environment; project name from name:, -p, COMPOSE_PROJECT_NAME" {
	cat >compose.yaml <<-'EOF'
		name: fromfile
		services:
		  app:
		    image: ${IMAGE}
		    command: echo ${WORD:-dflt} ${UNSET-also} ${EMPTY:-empty-default} $$literal
	EOF
	printf 'IMAGE=busybox\nWORD=from-dotenv\nEMPTY=\n' >.env
	run dk compose config
	assert_success
	assert_output_has "name: fromfile"
	assert_output_has "image: busybox"
	assert_output_has '- from-dotenv'
	assert_output_has '- also'
	assert_output_has '- empty-default'
	assert_output_has '$literal'
	# the process's environment wins over .env
	WORD=from-env run dk compose config
	assert_output_has '- from-env'
	run dk compose -p other config
	assert_output_has "name: other"
	COMPOSE_PROJECT_NAME=envname run dk compose config
	assert_output_has "name: envname"
	run dk compose run --rm -T app
	assert_success
	[[ $output == *"from-dotenv also empty-default \$literal"* ]]
	# a required variable that is not set
	printf 'services:\n  app:\n    image: ${NOPE:?set NOPE please}\n' >compose.yaml
	run dk compose config
	assert_failure
	assert_output_has "compose.yaml:3"
	assert_output_has "set NOPE please"
}

@test "compose: the project name defaults to the directory's, and compose.yaml is found from a subdirectory" {
	printf 'services:\n  app:\n    image: busybox\n' >compose.yaml
	mkdir -p sub/dir
	cd sub/dir
	run dk compose config
	assert_success
	assert_output_has "name: shop"
	cd "$T"
	run dk compose config
	assert_failure
	assert_output_has "no configuration file provided"
}

@test "compose: an unknown key is an error naming the file, the line and the key; nothing is created" {
	cat >compose.yaml <<-'EOF'
		services:
		  web:
		    image: busybox
		    healthcheck:
		      test: ["CMD", "true"]
		      intervl: 1s
	EOF
	run dk compose up -d
	assert_failure
	assert_output_has "compose.yaml:6: services.web.healthcheck: unknown key \"intervl\""
	run dk ps -aq
	[[ -z $output ]]
	run dk network ls --format '{{.Name}}'
	[[ $output != *shop_default* ]]
	printf 'services:\n  web:\n    image: busybox\nvolumez: {}\n' >compose.yaml
	run dk compose config
	assert_failure
	assert_output_has "compose.yaml:4"
	assert_output_has '"volumez"'
	printf 'services:\n  web:\n    image: busybox\n    depends_on: [nothere]\n' >compose.yaml
	run dk compose config
	assert_failure
	assert_output_has "undefined service \"nothere\""
}

@test "compose: a missing image fails the up before anything is created" {
	printf 'services:\n  ok:\n    image: busybox\n  bad:\n    image: localhost:1/nothere:latest\n' >compose.yaml
	run dk compose up -d
	assert_failure
	assert_output_has "nothere"
	run dk ps -aq
	[[ -z $output ]]
	run dk network ls --format '{{.Name}}'
	[[ $output != *shop_default* ]]
}

@test "compose stop, start, restart and user networks with aliases" {
	cat >compose.yaml <<-'EOF'
		services:
		  srv:
		    image: busybox
		    command: ["sh", "-c", "echo pong > /www/ping && exec httpd -f -p 80 -h /www"]
		    tmpfs: [/www]
		    stop_signal: KILL
		    networks:
		      back:
		        aliases: [backend]
		  probe:
		    image: busybox
		    command: sleep 600
		    networks: [back]
		    stop_grace_period: 1s
		networks:
		  back:
	EOF
	run dk compose up -d
	assert_success
	run dk network ls --format '{{.Name}}'
	assert_output_has shop_back
	[[ $output != *shop_default* ]]
	local i ok=""
	for ((i = 0; i < 50; i++)); do
		out=$(dk compose exec -T probe wget -q -O- http://backend/ping 2>/dev/null) && [[ $out == pong ]] && ok=1 && break
		sleep 0.1
	done
	[[ -n $ok ]]
	run dk compose exec -T probe wget -q -O- http://srv/ping
	[[ $output == pong ]]
	run dk compose stop
	assert_success
	run dk compose ps -q
	[[ -z $output ]]
	run dk compose ps -a -q
	[[ $(echo "$output" | wc -l) == 2 ]]
	run dk compose start
	assert_success
	run dk compose ps -q
	[[ $(echo "$output" | wc -l) == 2 ]]
	run dk compose restart srv
	assert_success
	run dk inspect -f '{{.State.Running}}' shop-srv-1
	[[ $output == true ]]
	run dk compose pause probe
	assert_success
	run dk inspect -f '{{.State.Status}}' shop-probe-1
	[[ $output == paused ]]
	run dk compose unpause probe
	assert_success
	run dk inspect -f '{{.State.Status}}' shop-probe-1
	[[ $output == running ]]
	run dk compose kill srv
	assert_success
	run dk inspect -f '{{.State.Running}}' shop-srv-1
	[[ $output == false ]]
	# rm takes the stopped containers only
	run dk compose rm -f
	assert_success
	run dk compose ps -a --services
	[[ $output == probe ]]
	# down -p needs no file: the project's containers and networks carry its label
	cd "$T"
	run dk compose down
	assert_failure
	assert_output_has "no configuration file provided"
	run dk compose -p shop down
	assert_success
	run dk ps -aq
	[[ -z $output ]]
	run dk network ls --format '{{.Name}}'
	[[ $output != *shop_back* ]]
}

@test "compose up without -d: Ctrl-C stops every container" {
	cat >compose.yaml <<-'EOF'
		services:
		  ticker:
		    image: busybox
		    command: sh -c 'echo started; exec sleep 600'
		    stop_grace_period: 1s
		  other:
		    image: busybox
		    command: sleep 600
		    stop_signal: KILL
	EOF
	# dock itself in the background (not under dk's `timeout`, which would signal its whole
	# process group and kill dock 5 s later), so that the SIGINT reaches it alone
	"$DOCK" --root "$DROOT" --runroot "$DRUN" ${DOCK_RUNTIME:+--runtime "$DOCK_RUNTIME"} \
		${DOCK_SHIM:+--shim "$DOCK_SHIM"} compose up >"$T/up.out" 2>&1 3>&- &
	local pid=$! i
	for ((i = 0; i < 100; i++)); do
		grep -q "ticker-1  | started" "$T/up.out" && break
		sleep 0.1
	done
	grep -q "ticker-1  | started" "$T/up.out"
	[[ $(dk compose ps -q | wc -l) == 2 ]]
	kill -INT "$pid"
	local st=0
	wait "$pid" || st=$?
	[[ $st == 130 ]]
	grep -q "Gracefully stopping" "$T/up.out"
	run dk compose ps -q
	[[ -z $output ]] || { sed 's/^/# /' "$T/up.out" >&2; false; }
	run dk compose ps -a -q
	[[ $(echo "$output" | wc -l) == 2 ]]
	dk compose down >/dev/null 2>&1
}

@test "compose build: a service built from its context, used by up, removed by down --rmi local" {
	mkdir -p app
	printf 'FROM busybox\nARG WHO=nobody\nRUN echo "built for $WHO" > /built\nCMD ["cat", "/built"]\n' >app/Dockerfile.dev
	cat >compose.yaml <<-'EOF'
		services:
		  app:
		    build:
		      context: ./app
		      dockerfile: Dockerfile.dev
		      args:
		        WHO: compose
	EOF
	run dk compose build
	assert_success
	run dk image inspect -f '{{.Id}}' shop-app
	assert_success
	run dk compose up
	assert_success
	assert_output_has "app-1  | built for compose"
	run dk compose down --rmi local
	assert_success
	run dk image inspect shop-app
	assert_failure
}

@test "compose: anchors, merge keys and x- fields; a depends_on cycle and an undefined network are errors" {
	cat >compose.yaml <<-'EOF'
		x-common: &common
		  image: busybox
		  environment:
		    SHARED: "yes"
		services:
		  a:
		    <<: *common
		    command: echo a
		  b:
		    <<: *common
		    image: busybox:latest
	EOF
	run dk compose config
	assert_success
	assert_output_has "image: busybox:latest"
	assert_output_has 'SHARED: "yes"'
	run dk compose config --services
	[[ $output == "a"$'\n'"b" ]]
	printf 'services:\n  a:\n    image: busybox\n    depends_on: [b]\n  b:\n    image: busybox\n    depends_on: [a]\n' >compose.yaml
	run dk compose up -d
	assert_failure
	assert_output_has "cycle"
	run dk ps -aq
	[[ -z $output ]]
	printf 'services:\n  a:\n    image: busybox\n    networks: [nonet]\n' >compose.yaml
	run dk compose config
	assert_failure
	assert_output_has "undefined network nonet"
}

@test "compose: env_file, environment, entrypoint, working_dir, user, hostname, labels; a changed service is recreated" {
	printf 'FOO=from-file\nBAR=from-file\n' >app.env
	cat >compose.yaml <<-'EOF2'
		services:
		  app:
		    image: busybox
		    env_file: app.env
		    environment:
		      - BAR=from-environment
		    entrypoint: ["sh", "-c"]
		    command: ["echo $$FOO $$BAR $$(pwd) $$(id -u) $$(hostname); exec sleep 600"]
		    working_dir: /tmp
		    user: "1234"
		    hostname: apphost
		    labels:
		      shop.role: frontend
		    stop_signal: KILL
	EOF2
	run dk compose up -d
	assert_success
	local i
	for ((i = 0; i < 50; i++)); do
		[[ $(dk compose logs app) == *apphost* ]] && break
		sleep 0.1
	done
	run dk compose logs app
	assert_output_has "app-1  | from-file from-environment /tmp 1234 apphost"
	run dk inspect -f '{{index .Config.Labels "shop.role"}} {{len (index .Config.Labels "com.docker.compose.config-hash")}}' shop-app-1
	[[ $output == "frontend 64" ]]
	id=$(dk inspect -f '{{.Id}}' shop-app-1)
	# --force-recreate makes a new container; so does a change to the service
	run dk compose up -d --force-recreate
	assert_success
	id2=$(dk inspect -f '{{.Id}}' shop-app-1)
	[[ $id2 != "$id" ]]
	sed -i 's/frontend/backend/' compose.yaml
	run dk compose up -d
	assert_success
	assert_output_has "Recreate"
	[[ $(dk inspect -f '{{.Id}}' shop-app-1) != "$id2" ]]
	run dk inspect -f '{{index .Config.Labels "shop.role"}}' shop-app-1
	[[ $output == backend ]]
	dk compose down >/dev/null 2>&1
}

@test "compose: depends_on service_completed_successfully waits for the exit, and a failed one stops the up" {
	cat >compose.yaml <<-'EOF2'
		services:
		  init:
		    image: busybox
		    command: sh -c 'sleep 1; echo prepared > /data/state'
		    volumes: [state:/data]
		  app:
		    image: busybox
		    command: cat /data/state
		    volumes: [state:/data]
		    depends_on:
		      init:
		        condition: service_completed_successfully
		volumes:
		  state:
	EOF2
	run dk compose up
	assert_success
	assert_output_has "app-1   | prepared"
	dk compose down -v >/dev/null 2>&1
	sed -i 's/echo prepared > \/data\/state/exit 3/' compose.yaml
	run dk compose up -d
	assert_failure
	assert_output_has "didn't complete successfully: exit 3"
	run dk ps -a --filter label=com.docker.compose.service=app -q
	[[ -z $output ]]
	dk compose down -v >/dev/null 2>&1
}

# ---- profiles, extends, include ----------------------------------------------------------

@test "compose profiles: --profile, COMPOSE_PROFILES (also from .env), a named service enables its own; a disabled dependency is an error" {
	cat >compose.yaml <<-'EOF2'
		services:
		  app:
		    image: busybox
		    command: sleep 600
		    stop_signal: KILL
		  debug:
		    image: busybox
		    command: sleep 600
		    stop_signal: KILL
		    profiles: [tools]
		  seed:
		    image: busybox
		    command: "true"
		    profiles: [tools, init]
	EOF2
	run dk compose config --services
	assert_success
	[[ $output == app ]]
	run dk compose --profile tools config --services
	[[ $output == "app"$'\n'"debug"$'\n'"seed" ]]
	run dk compose --profile init config --services
	[[ $output == "app"$'\n'"seed" ]]
	COMPOSE_PROFILES=init,tools run dk compose config --services
	[[ $output == "app"$'\n'"debug"$'\n'"seed" ]]
	echo COMPOSE_PROFILES=tools >.env
	run dk compose config --services
	[[ $output == "app"$'\n'"debug"$'\n'"seed" ]]
	rm .env
	run dk compose --profile '*' config --services
	[[ $(echo "$output" | wc -l) == 3 ]]
	# up starts the enabled services only; naming one starts it whatever its profiles
	run dk compose up -d
	assert_success
	run dk compose ps --services
	[[ $output == app ]]
	run dk compose up -d debug
	assert_success
	run dk compose ps --services
	[[ $output == "app"$'\n'"debug" ]]
	# down takes the containers of disabled services too
	run dk compose down
	assert_success
	run dk ps -aq
	[[ -z $output ]]
	# an enabled service may not depend on a disabled one
	cat >>compose.yaml <<-'EOF2'
		  web:
		    image: busybox
		    depends_on: [debug]
	EOF2
	run dk compose config
	assert_failure
	assert_output_has "compose.yaml:17: services.web.depends_on"
	assert_output_has 'depends on service "debug", which is disabled'
	run dk compose --profile tools config --services
	assert_success
}

@test "compose extends: a service of the same file and of another file (its paths against its own directory)" {
	mkdir -p common
	printf 'FROM_COMMON=yes\n' >common/common.env
	cat >common/base.yaml <<-'EOF2'
		services:
		  tmpl:
		    image: busybox
		    env_file: common.env
		    environment:
		      LEVEL: base
		    volumes:
		      - ./data:/data
		    labels:
		      from: base
	EOF2
	cat >compose.yaml <<-'EOF2'
		services:
		  defaults:
		    image: busybox
		    command: ["sh", "-c", "echo $$ROLE $$SHARED"]
		    environment:
		      SHARED: "1"
		      ROLE: none
		  worker:
		    extends: defaults
		    environment:
		      ROLE: worker
		  chained:
		    extends:
		      service: worker
		    command: ["sh", "-c", "echo chained $$ROLE"]
		  remote:
		    extends:
		      file: common/base.yaml
		      service: tmpl
		    environment:
		      LEVEL: local
		    command: ["sh", "-c", "echo $$LEVEL $$FROM_COMMON; ls -d /data"]
	EOF2
	run dk compose config
	assert_success
	assert_output_has "$P/common/data:/data"
	assert_output_has "from: base"
	[[ $output != *extends* ]]
	run dk compose run --rm -T worker
	assert_success
	[[ $output == *"worker 1"* ]]
	run dk compose run --rm -T chained
	[[ $output == *"chained worker"* ]]
	run dk compose run --rm -T remote
	assert_success
	[[ $output == *"local yes"* ]]
	[[ $output == *"/data"* ]]
	[[ -d common/data ]]
	dk compose down >/dev/null 2>&1
	# a cycle and a missing base are errors naming the file and the service
	printf 'services:\n  a:\n    extends: b\n  b:\n    extends: a\n' >compose.yaml
	run dk compose config
	assert_failure
	assert_output_has "compose.yaml: services.a.extends: circular reference"
	printf 'services:\n  a:\n    extends: {file: common/base.yaml, service: nope}\n' >compose.yaml
	run dk compose config
	assert_failure
	assert_output_has 'cannot extend service "nope"'
}

@test "compose include: another project's services, networks and volumes join the model; redefining one is an error" {
	mkdir -p db
	cat >db/compose.yaml <<-'EOF2'
		services:
		  db:
		    image: busybox
		    command: ["sh", "-c", "cat /conf/db.conf; exec sleep 600"]
		    stop_signal: KILL
		    volumes:
		      - ./conf:/conf:ro
		      - dbdata:/var/db
		    networks: [back]
		networks:
		  back:
		volumes:
		  dbdata:
	EOF2
	mkdir -p db/conf
	echo "db-config-here" >db/conf/db.conf
	cat >compose.yaml <<-'EOF2'
		include:
		  - db/compose.yaml
		services:
		  app:
		    image: busybox
		    command: sleep 600
		    stop_signal: KILL
		    networks: [back]
		    depends_on: [db]
	EOF2
	run dk compose config --services
	assert_success
	[[ $output == *db* && $output == *app* ]]
	run dk compose config
	assert_output_has "$P/db/conf:/conf:ro"
	run dk compose up -d
	assert_success
	local i
	for ((i = 0; i < 50; i++)); do
		[[ $(dk compose logs db) == *db-config-here* ]] && break
		sleep 0.1
	done
	run dk compose logs db
	assert_output_has "db-config-here"
	run dk compose exec -T app ping -c1 -W2 db
	assert_success
	run dk volume ls --format '{{.Name}}'
	assert_output_has shop_dbdata
	run dk compose down -v
	assert_success
	cat >>compose.yaml <<-'EOF2'
		  db:
		    image: busybox
	EOF2
	run dk compose config
	assert_failure
	assert_output_has "services.db conflicts with the service imported by include"
}

# ---- scale and orphans -------------------------------------------------------------------

@test "compose scale: deploy.replicas, up --scale, scale; numbered containers, scaling down removes the highest" {
	cat >compose.yaml <<-'EOF2'
		services:
		  worker:
		    image: busybox
		    command: sleep 600
		    stop_signal: KILL
		    deploy:
		      replicas: 2
		  probe:
		    image: busybox
		    command: sleep 600
		    stop_signal: KILL
	EOF2
	run dk compose up -d
	assert_success
	names() { dk ps -a --filter label=com.docker.compose.service=worker --format '{{.Names}}' | sort | tr '\n' ' '; }
	[[ $(names) == "shop-worker-1 shop-worker-2 " ]]
	run dk inspect -f '{{index .Config.Labels "com.docker.compose.container-number"}}' shop-worker-2
	[[ $output == 2 ]]
	id1=$(dk inspect -f '{{.Id}}' shop-worker-1)
	run dk compose up -d --scale worker=4
	assert_success
	[[ $(names) == "shop-worker-1 shop-worker-2 shop-worker-3 shop-worker-4 " ]]
	# scaling keeps the containers that are there
	[[ $(dk inspect -f '{{.Id}}' shop-worker-1) == "$id1" ]]
	# every replica answers to the service's name
	run dk compose exec -T --index 3 worker hostname
	assert_success
	run dk compose exec -T probe nslookup worker
	assert_success
	run dk compose scale worker=1
	assert_success
	[[ $(names) == "shop-worker-1 " ]]
	[[ $(dk inspect -f '{{.Id}}' shop-worker-1) == "$id1" ]]
	run dk compose up -d --scale worker=0
	assert_success
	[[ -z $(names) ]]
	run dk compose up -d --scale nothere=2
	assert_failure
	assert_output_has "no such service: nothere"
	dk compose down >/dev/null 2>&1
	# a fixed host port cannot be published by two replicas: an error before anything is made
	printf 'services:\n  web:\n    image: busybox\n    scale: 2\n    ports: ["127.0.0.1:18080:80"]\n' >compose.yaml
	run dk compose up -d
	assert_failure
	assert_output_has "compose.yaml:5: services.web.ports: port clash"
	run dk ps -aq
	[[ -z $output ]]
	run dk network ls --format '{{.Name}}'
	[[ $output != *shop_default* ]]
}

@test "compose --remove-orphans: up and down leave (and name) a removed service's containers without it, remove them with it" {
	cat >compose.yaml <<-'EOF2'
		services:
		  keep:
		    image: busybox
		    command: sleep 600
		    stop_signal: KILL
		  gone:
		    image: busybox
		    command: sleep 600
		    stop_signal: KILL
	EOF2
	run dk compose up -d
	assert_success
	printf 'services:\n  keep:\n    image: busybox\n    command: sleep 600\n    stop_signal: KILL\n' >compose.yaml
	run dk compose up -d
	assert_success
	assert_output_has "Found orphan containers ([shop-gone-1])"
	run dk inspect -f '{{.State.Running}}' shop-gone-1
	[[ $output == true ]]
	run dk compose down
	assert_success
	assert_output_has "Found orphan containers ([shop-gone-1])"
	run dk inspect -f '{{.State.Running}}' shop-gone-1
	[[ $output == true ]]
	run dk inspect shop-keep-1
	assert_failure
	run dk compose up -d --remove-orphans
	assert_success
	run dk inspect shop-gone-1
	assert_failure
	printf 'services:\n  other:\n    image: busybox\n    command: sleep 600\n    stop_signal: KILL\n' >compose.yaml
	run dk compose down --remove-orphans
	assert_success
	run dk ps -aq
	[[ -z $output ]]
	run dk network ls --format '{{.Name}}'
	[[ $output != *shop_default* ]]
}

# ---- the long syntax of ports and volumes; the other service keys --------------------------

@test "compose: ports and volumes in the long syntax, merged by key with the short one across -f files" {
	mkdir -p a b
	echo from-a >a/file
	echo from-b >b/file
	cat >base.yaml <<-'EOF2'
		services:
		  web:
		    image: busybox
		    command: ["sh", "-c", "cp /src/file /www/index.html; exec httpd -f -p 80 -h /www"]
		    stop_signal: KILL
		    ports:
		      - target: 80
		        published: "18081"
		        host_ip: 127.0.0.1
		    volumes:
		      - ./a:/src
		      - type: tmpfs
		        target: /www
		        tmpfs:
		          size: 1048576
		      - type: volume
		        source: cache
		        target: /cache
		        volume:
		          nocopy: true
		volumes:
		  cache:
	EOF2
	cat >over.yaml <<-'EOF2'
		services:
		  web:
		    volumes:
		      - type: bind
		        source: ./b
		        target: /src
		        read_only: true
		      - type: bind
		        source: ./made-by-compose
		        target: /made
	EOF2
	run dk compose -f base.yaml -f over.yaml config
	assert_success
	# /src once, from the override
	[[ $(grep -c 'target: /src' <<<"$output") == 1 && $output != *":/src"* ]]
	assert_output_has "source: $P/b"
	assert_output_has '127.0.0.1:18081:80'
	run dk compose -f base.yaml -f over.yaml up -d
	assert_success
	local i out=""
	for ((i = 0; i < 50; i++)); do
		out=$(curl -s http://127.0.0.1:18081/) && [[ $out == from-b ]] && break
		sleep 0.1
	done
	[[ $out == from-b ]]
	run dk compose -f base.yaml -f over.yaml exec -T web sh -c 'touch /src/x 2>&1; grep " /www " /proc/mounts; ls -d /made /cache'
	assert_output_has "Read-only file system"
	assert_output_has "tmpfs /www tmpfs"
	assert_output_has "size=1024k"
	assert_output_has "/made"
	[[ -d made-by-compose ]]
	run dk volume ls --format '{{.Name}}'
	assert_output_has shop_cache
	dk compose -f base.yaml -f over.yaml down -v >/dev/null 2>&1
	# a long entry without its type or target, or of an unknown type, is an error
	printf 'services:\n  web:\n    image: busybox\n    volumes:\n      - type: npipe\n        target: /x\n' >compose.yaml
	run dk compose config
	assert_failure
	assert_output_has 'type "npipe" is not supported'
	printf 'services:\n  web:\n    image: busybox\n    ports:\n      - published: "80"\n' >compose.yaml
	run dk compose config
	assert_failure
	assert_output_has 'needs a target'
}

@test "compose: ulimits, deploy.resources, ipam and ipv4_address reach the container; unknown keys of deploy are errors" {
	cat >compose.yaml <<-'EOF2'
		services:
		  app:
		    image: busybox
		    command: ["sh", "-c", "ulimit -n; exec sleep 600"]
		    stop_signal: KILL
		    ulimits:
		      nofile:
		        soft: 1234
		        hard: 2345
		      nproc: 500
		    deploy:
		      resources:
		        limits:
		          memory: 64m
		          pids: 77
		        reservations:
		          memory: 32m
		    networks:
		      fixed:
		        ipv4_address: 10.123.0.42
		networks:
		  fixed:
		    ipam:
		      config:
		        - subnet: 10.123.0.0/24
	EOF2
	run dk compose up -d
	assert_success
	run dk inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.PidsLimit}} {{len .HostConfig.Ulimits}}' shop-app-1
	[[ $output == "67108864 33554432 77 2" ]]
	run dk inspect -f '{{(index .NetworkSettings.Networks "shop_fixed").IPAddress}}' shop-app-1
	[[ $output == 10.123.0.42 ]]
	local i
	for ((i = 0; i < 50; i++)); do
		[[ $(dk compose logs app) == *1234* ]] && break
		sleep 0.1
	done
	run dk compose logs app
	assert_output_has "app-1  | 1234"
	dk compose down >/dev/null 2>&1
	printf 'services:\n  app:\n    image: busybox\n    deploy:\n      replicaz: 2\n' >compose.yaml
	run dk compose config
	assert_failure
	assert_output_has 'compose.yaml:5: services.app.deploy: unknown key "replicaz"'
}

# ---- top, images, port, push -------------------------------------------------------------

@test "compose top, images, port" {
	cat >compose.yaml <<-'EOF2'
		services:
		  web:
		    image: busybox
		    command: ["httpd", "-f", "-p", "8080", "-h", "/"]
		    stop_signal: KILL
		    ports:
		      - "127.0.0.1:18082:8080"
		      - target: 53
		        published: "18053"
		        protocol: udp
	EOF2
	run dk compose up -d
	assert_success
	run dk compose top
	assert_success
	[[ ${lines[0]} == shop-web-1 ]]
	[[ ${lines[1]} == *PID* ]]
	assert_output_has "httpd -f -p 8080"
	run dk compose images
	assert_success
	[[ ${lines[0]} == "CONTAINER "*"REPOSITORY "*"TAG "*"IMAGE ID "*"SIZE" ]]
	id=$(dk image inspect -f '{{.Id}}' busybox)
	[[ ${lines[1]} == "shop-web-1 "*" busybox "*" latest "*" ${id:7:12} "* ]]
	run dk compose images -q
	[[ $output == "${id:7}" ]]
	run dk compose port web 8080
	assert_success
	[[ $output == "127.0.0.1:18082" ]]
	run dk compose port --protocol udp web 53
	assert_success
	[[ $output == *":18053" ]]
	run dk compose port web 9999
	assert_failure
	dk compose down >/dev/null 2>&1
}

@test "compose push: the built services named by image go to the registry, the others are skipped" {
	command -v docker-registry >/dev/null || skip "docker-registry is not installed"
	local port
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	mkdir -p reg app
	printf 'version: 0.1\nlog: {level: error}\nstorage:\n  filesystem: {rootdirectory: %s}\nhttp: {addr: 127.0.0.1:%s}\n' \
		"$T/reg" "$port" >reg.yml
	docker-registry serve reg.yml >reg.log 2>&1 &
	REG_PID=$!
	local i
	for ((i = 0; i < 100; i++)); do
		curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break
		sleep 0.1
	done
	printf 'FROM busybox\nRUN echo pushed > /marker\n' >app/Dockerfile
	cat >compose.yaml <<-EOF2
		services:
		  app:
		    build: ./app
		    image: 127.0.0.1:$port/shop/app:v1
		  plain:
		    image: busybox
	EOF2
	run dk compose build
	assert_success
	run dk compose push
	kill "$REG_PID"
	wait "$REG_PID" 2>/dev/null || true
	assert_success
	assert_output_has "plain Skipped"
	[[ -d $T/reg/docker/registry/v2/repositories/shop/app/_manifests/tags/v1 ]]
	[[ ! -d $T/reg/docker/registry/v2/repositories/library ]]
}

# ---- config output and bad input ----------------------------------------------------------

@test "compose config writes \$ as \$\$, so that its output reads back to the same model" {
	cat >compose.yaml <<-'EOF2'
		services:
		  app:
		    image: busybox
		    command: echo $$HOME ${WORD}
		    environment:
		      PRICE: "$$5"
	EOF2
	WORD='a$b' run dk compose config
	assert_success
	assert_output_has '- $$HOME'
	assert_output_has '- a$$b'
	assert_output_has 'PRICE: $$5'
	WORD='a$b' dk compose config >round.yaml
	run dk compose -f round.yaml config
	assert_success
	[[ $output == "$(cat round.yaml)" ]]
	run dk compose -f round.yaml run --rm -T app
	# exec form: no shell, the words as they are
	[[ $output == *'$HOME a$b'* ]]
}

@test "compose: bad input names the file, the line and the key, and leaves nothing" {
	nothing_left() {
		run dk ps -aq
		[[ -z $output ]]
		run dk network ls --format '{{.Name}}'
		[[ $output != *shop_* ]]
		run dk volume ls -q
		[[ -z $output ]]
	}
	printf 'services:\n  a:\n    image: busybox\n  b:\n    image: busybox\n    networks: [nonet]\n' >compose.yaml
	run dk compose up -d
	assert_failure
	assert_output_has "compose.yaml:6: services.b.networks: service \"b\" refers to undefined network nonet"
	nothing_left
	printf 'services:\n  a:\n    image: busybox\n    volumes:\n      - novol:/x\n' >compose.yaml
	run dk compose up -d
	assert_failure
	assert_output_has "compose.yaml:4: services.a.volumes: service \"a\" refers to undefined volume novol"
	nothing_left
	printf 'services:\n  a:\n    image: busybox\n    depends_on: [b]\n  b:\n    image: busybox\n    depends_on: [a]\n' >compose.yaml
	run dk compose config
	assert_failure
	assert_output_has "compose.yaml:4: services.a.depends_on: dependency cycle detected"
	run dk compose up -d
	assert_failure
	nothing_left
	printf 'services:\n  a:\n    image: busybox\n    ports: ["18090:80"]\n  b:\n    image: busybox\n    ports: ["127.0.0.1:18090:81"]\n' >compose.yaml
	run dk compose up -d
	assert_failure
	assert_output_has "compose.yaml:7: services.b.ports: port clash"
	nothing_left
	printf 'services:\n  a:\n    image: busybox\n    command: echo ${REQUIRED?is required}\n' >compose.yaml
	run dk compose up -d
	assert_failure
	assert_output_has "compose.yaml:4"
	assert_output_has "is required"
	nothing_left
	printf 'services:\n  a:\n    image: busybox\n    restrat: always\n' >compose.yaml
	run dk compose up -d
	assert_failure
	assert_output_has 'compose.yaml:4: services.a: unknown key "restrat"'
	nothing_left
	printf 'services:\n  a:\n    image: busybox\n   bad-indent: 1\n' >compose.yaml
	run dk compose up -d
	assert_failure
	assert_output_has "compose.yaml:4"
	nothing_left
}

@test "compose restart: depends_on with restart: true restarts the dependent too, others stay" {
	cat >compose.yaml <<-'EOF'
		services:
		  db:
		    image: busybox
		    command: sleep 600
		    stop_signal: KILL
		  web:
		    image: busybox
		    command: sleep 600
		    stop_signal: KILL
		    depends_on:
		      db: {condition: service_started, restart: true}
		  cache:
		    image: busybox
		    command: sleep 600
		    stop_signal: KILL
		    depends_on: [db]
	EOF
	run dk compose up -d
	assert_success
	local web cache
	web=$(dk inspect -f '{{.State.Pid}}' shop-web-1)
	cache=$(dk inspect -f '{{.State.Pid}}' shop-cache-1)
	run dk compose restart db
	assert_success
	[[ $(dk inspect -f '{{.State.Running}}' shop-web-1) == true ]]
	[[ $(dk inspect -f '{{.State.Pid}}' shop-web-1) != "$web" ]]
	[[ $(dk inspect -f '{{.State.Pid}}' shop-cache-1) == "$cache" ]]
	run dk compose down
	assert_success
}
