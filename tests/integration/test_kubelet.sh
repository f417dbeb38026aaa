#!/usr/bin/env bash
# The node agent's kubelet role in a real lab: pods created by hand through
# the API server, already bound to a node (as the controller's scheduler
# would bind them), become processes in their own namespaces on cbr0; the
# image table, command/args and env, readiness probes, restarts with
# back-off, ErrImagePull, graceful deletion ended by the kubelet deleting
# the pod for good, grace-period expiry, a late status report about a pod
# that a new pod of its name replaced (refused, the new one untouched), a
# frozen API server (one timeout per heartbeat period, not one per pod),
# and an agent SIGKILLed and restarted that adopts its pods instead of
# restarting them. The status the kubelet reports is read from its
# checkpoint (status/pods) and from the API.
#
# The controller is frozen first (SIGSTOP: the lab's supervisor would
# restart a controller that died): this test plays its part (creating and
# deleting pods) so the kubelet is tested on its own.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || t_skip_all "needs root (network namespaces)"

C=$T_BUILD/clientip
lab=$(t_unique)
sd=${CLIENTIP_RUN_DIR:-/run/clientip}/$lab
images=$T_TMP/images.conf

# A short back-off (1 s instead of 10 s) so restarts and image retries happen
# within the test. A state that lasts only one back-off period is not polled
# for (a slow poller under load misses it): the checks look for what stays,
# or for the agent's log, or the test holds the state until it has seen it.
export CLIENTIP_BACKOFF_BASE_MS=1000
export CLIENTIP_IMAGES=$images
# slowstop, on SIGTERM, keeps running until the test creates $slow_release.
slow_release=$T_TMP/slow-release
cat >"$images" <<EOF
# Test images. {bindir} is the agent's directory (build/).
test/crash     /bin/sh -c 'echo crash-start; sleep 0.3; exit 3'
test/slowstop  /bin/sh -c 'trap "echo got SIGTERM; until [ -e $slow_release ]; do sleep 0.1; done; exit 0" TERM; {bindir}/clientip-echo & wait'
test/stubborn  /bin/sh -c 'trap "" TERM; echo stubborn; while :; do sleep 1; done'
EOF

# put_pod NAME NODE IP IMAGE [CONTAINER_JSON] [GRACE]: creates the pod
# through the API, bound to NODE with the address the scheduler would
# have put on its Binding.
put_pod() {
	printf '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","namespace":"default","annotations":{"clientip.io/pod-ip":"%s"}},"spec":{"nodeName":"%s","containers":[{"name":"app","image":"%s","ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}]%s}],"restartPolicy":"Always","terminationGracePeriodSeconds":%d}}\n' \
		"$1" "$3" "$2" "$4" "${5:-}" "${6:-5}" |
		t_api_send "$sd" POST /api/v1/namespaces/default/pods >/dev/null
}
# del_pod NAME [GRACE]: a graceful deletion (the pod's own grace period
# unless GRACE is given), as `kubectl delete pod` asks for it; GRACE 0
# removes it from the API at once, whatever its kubelet is doing.
del_pod() {
	t_api_send "$sd" DELETE "/api/v1/namespaces/default/pods/$1${2:+?gracePeriodSeconds=$2}" \
		</dev/null >/dev/null
}
pod_gone() {
	[ "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$sd/apiserver.sock" \
		"http://lab/api/v1/namespaces/default/pods/$1")" == 404 ]
}
# api_st POD: "phase ready restarts containerID" as the API has the pod's status.
api_st() {
	t_api "$sd" "/api/v1/namespaces/default/pods/$1" | jq -r '[.status.phase,
		(.status.conditions[]? | select(.type == "Ready") | .status),
		.status.containerStatuses[0].restartCount, .status.containerStatuses[0].containerID] | join(" ")'
}
# st POD FIELD: a member of status/pods/default_POD.json's status ("" if none).
st() {
	python3 - "$sd/status/pods/default_$1.json" "$2" <<'EOF' 2>/dev/null
import json, sys
try:
    v = json.load(open(sys.argv[1]))["status"].get(sys.argv[2], "")
except Exception:
    v = ""
print(str(v).lower() if isinstance(v, bool) else v)
EOF
}
st_is() { [ "$(st "$1" "$2")" = "$3" ]; }
# st_all POD FIELD=VALUE...: all of them at once, from one read of the file.
st_all() {
	python3 - "$sd/status/pods/default_$1.json" "${@:2}" <<'EOF' 2>/dev/null
import json, sys
s = json.load(open(sys.argv[1]))["status"]
fmt = lambda v: str(v).lower() if isinstance(v, bool) else str(v)
sys.exit(not all(fmt(s.get(k, "")) == v for k, v in (a.split("=", 1) for a in sys.argv[2:])))
EOF
}
running() { st_is "$1" phase Running && [ "$(st "$1" pid)" -gt 0 ] 2>/dev/null; }
ready_is() { running "$1" && st_is "$1" ready "$2"; }
restarted() { running "$1" && [ "$(st "$1" restartCount)" -ge "$2" ] 2>/dev/null; }
alive() { [ -e "/proc/$1" ] && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null; }
gone() { ! alive "$1"; }
ns_of() { stat -L -c %i "/proc/$1/ns/net" 2>/dev/null; }
in_ns() { [ -n "$(ns_of "$1")" ] && [ "$(ns_of "$1")" = "$(stat -L -c %i "/run/netns/$2" 2>/dev/null)" ]; }
pod_ns() { echo "cip-$lab-pod-default-$1"; }
no_ns() { [ ! -e "/run/netns/$(pod_ns "$1")" ]; }
from_node() { "$C" --lab "$lab" exec "$1" -- curl -s --max-time 2 "$2"; }
answers() { [ "$(from_node "$1" "$2")" = "$3" ]; }
log_has() { grep -q -- "$2" "$1" 2>/dev/null; }
t_not_has() { ! grep -q -- "$2" "$1"; }
count_ge() { [ "$(grep -c -- "$2" "$1" 2>/dev/null)" -ge "$3" ]; }
restarts_ge() { [ "$(st "$1" restartCount)" -ge "$2" ] 2>/dev/null; }
absent() { [ ! -e "$1" ]; }
empty_dir() { [ -z "$(ls -A "$1")" ]; }
no_pod_ns() { ! ls /run/netns 2>/dev/null | grep -q "^cip-$lab-pod-"; }
agent_log=$sd/logs/agent-node0.log

t_ok "lab up --nodes 2" "$C" --lab "$lab" lab up --nodes 2
t_defer "$C --lab $lab lab down"
t_ok "the controller is frozen" "$C" --lab "$lab" lab kill controller --signal STOP
api() { t_api "$sd" "$1"; }
node_ready() { api /api/v1/nodes/node0 | jq -e '.status.conditions[] | select(.type == "Ready" and .status == "True")' >/dev/null; }
t_ok "node0's agent registers its Node, Ready" t_wait 10 node_ready
t_eq "with its address, pod CIDR, capacity and role" "10.240.0.4 10.244.0.0/24 110 agent" \
	"$(api /api/v1/nodes/node0 | jq -r '[(.status.addresses[] | select(.type == "InternalIP") | .address),
		.spec.podCIDR, .status.capacity.pods, .metadata.labels["kubernetes.io/role"]] | join(" ")')"
lease=/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node0
renew=$(api "$lease" | jq -r .spec.renewTime)
t_match "its Lease in kube-node-lease, held by node0, owned by its Node" \
	"^node0 [0-9]+ Node node0 [0-9-]+T[0-9:]+\.[0-9]{6}Z$" \
	"$(api "$lease" | jq -r '[.spec.holderIdentity, .spec.leaseDurationSeconds,
		.metadata.ownerReferences[0].kind, .metadata.ownerReferences[0].name, .spec.renewTime] | join(" ")')"
renewed() { [ "$(api "$lease" | jq -r .spec.renewTime)" != "$renew" ]; }
t_ok "the Lease renews every 2 s" t_wait 5 renewed
t_eq "Events on the Node, as kubelet records them" "Starting Starting kubelet.
NodeReady Node node0 status is now: NodeReady" \
	"$(api /api/v1/namespaces/default/events | jq -r '[.items[] | select(.involvedObject.kind == "Node"
		and .involvedObject.name == "node0" and .source.component == "kubelet")] |
		sort_by(.metadata.name) | .[] | "\(.reason) \(.message)"')"
# A Node deleted under a running agent comes back, as a restarted kubelet
# registers it: a new object (another uid), Ready again.
uid=$(api /api/v1/nodes/node0 | jq -r .metadata.uid)
t_ok "delete node0's Node" sh -c "curl -sf -X DELETE --unix-socket '$sd/apiserver.sock' http://lab/api/v1/nodes/node0 >/dev/null"
new_node() { node_ready && [ "$(api /api/v1/nodes/node0 | jq -r .metadata.uid)" != "$uid" ]; }
t_ok "the agent registers it again, Ready" t_wait 10 new_node

# --- a pod of the scenario's image -----------------------------------------------
# events POD: "reason|type|message" of the kubelet's Events about POD,
# oldest first (an Event's name ends in its time); reasons POD: the reasons.
events() {
	api "/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3D$1" |
		jq -r '[.items[] | select(.source.component == "kubelet" and .involvedObject.kind == "Pod")] |
			sort_by(.metadata.name) | .[] | "\(.reason)|\(.type)|\(.message)"'
}
reasons() { events "$1" | cut -d'|' -f1 | paste -sd' '; }
reasons_are() { [ "$(reasons "$1")" == "$2" ]; }
# counts POD: "reason:count" of each of them (a repeat counts on its Event).
counts() {
	api "/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3D$1" |
		jq -r '[.items[] | select(.source.component == "kubelet" and .involvedObject.kind == "Pod")] |
			sort_by(.metadata.name) | map("\(.reason):\(.count)") | join(" ")'
}
counts_are() { [ "$(counts "$1")" == "$2" ]; }
has_event() { events "$1" | grep -qxF -- "$2"; }
put_pod web node0 10.244.0.2 nfranssens/nodejs-ip
t_ok "web runs" t_wait 10 running web
t_ok "the kubelet's Events on web: Pulled, Created, Started" t_wait 5 reasons_are web "Pulled Created Started"
t_eq "each as kubelet words it" 'Pulled|Normal|Container image "nfranssens/nodejs-ip" already present on machine
Created|Normal|Created container app
Started|Normal|Started container app' "$(events web)"
t_eq "about the pod by its uid" "$(api /api/v1/namespaces/default/pods/web | jq -r .metadata.uid)" \
	"$(api "/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dweb" | jq -r '[.items[].involvedObject.uid] | unique | join(",")')"
t_eq "web is ready (no probe)" true "$(st web ready)"
api_running() { [ "$(api_st web)" == "Running True 0 pid://$(st web pid)" ]; }
t_ok "the API has web's status: Running, Ready, its process as container" t_wait 5 api_running
t_eq "and the address the kubelet set up, with its node's" "10.244.0.2 10.240.0.4" \
	"$(api /api/v1/namespaces/default/pods/web | jq -r '"\(.status.podIP) \(.status.hostIP)"')"
t_eq "no reason while running" "" "$(st web reason)"
# What the node lifecycle controller does to the pods of a node it has
# not heard from (MarkPodsNotReady); the kubelet, which is there after
# all, reports its own status again, as kubelet's status manager
# reconciles with the API.
t_ok "someone else sets web's Ready False" t_api_send "$sd" PATCH \
	/api/v1/namespaces/default/pods/web/status application/strategic-merge-patch+json \
	<<<'{"status":{"conditions":[{"type":"Ready","status":"False"}]}}'
t_ok "the kubelet reports Ready True again" t_wait 10 api_running
t_ok "and says why" log_has "$agent_log" "pod default/web: the API says Ready False, this node reported True: reporting again"
web_pid=$(st web pid)
t_ok "web's process runs in its pod namespace" in_ns "$web_pid" "$(pod_ns web)"
t_match "the namespace has the pod IP on eth0" "eth0.* 10\.244\.0\.2/24" \
	"$(ip netns exec "$(pod_ns web)" ip -br -4 addr 2>&1)"
t_ok "web answers from node0 with node0's cbr0 address" \
	t_wait 5 answers node0 http://10.244.0.2:8080/ "::ffff:10.244.0.1"
t_eq "the pod has its own session" "$web_pid" "$(ps -o sid= -p "$web_pid" | tr -d ' ')"
t_eq "stdin is /dev/null" /dev/null "$(readlink "/proc/$web_pid/fd/0")"
t_eq "stdout goes to the pod log" "$sd/logs/pods/default_web.log" "$(readlink "/proc/$web_pid/fd/1")"
# --- logs: the API server asks the pod's kubelet ------------------------------------------
# logs_has POD TEXT: clientip logs POD shows TEXT.
logs_has() { "$C" --lab "$lab" logs "$1" 2>/dev/null | grep -q -- "$2"; }
# kubelet_get NODE PATH: the status code, then the body, of a kubelet's answer.
kubelet_get() {
	curl -s -w '%{http_code}' --max-time 5 --unix-socket "$sd/run/kubelet-$1.sock" "http://$1$2"
}
t_ok "each node's kubelet serves its own API on a socket" \
	test -S "$sd/run/kubelet-node0.sock" -a -S "$sd/run/kubelet-node1.sock"
t_ok "logs web: what web wrote, from node0's kubelet through the API server" \
	t_wait 5 logs_has web "listening on"
t_eq "the kubelet's containerLogs with tailLines: the file's last line" \
	"$(tail -n 1 "$sd/logs/pods/default_web.log")
200" "$(kubelet_get node0 '/containerLogs/default/web/app?tailLines=1')"
t_eq "a pod the kubelet does not run: 404" 'pod "default/args" not found
404' "$(kubelet_get node0 /containerLogs/default/args/app)"
# A log larger than what an answer may hold queued (4 MiB): streamed from
# the file as the client takes it, whole, with and without follow.
head -c 6000000 /dev/zero | tr '\0' 'x' >>"$sd/logs/pods/default_web.log"
logsize=$(stat -c %s "$sd/logs/pods/default_web.log")
t_eq "a 6 MB log: all of it, as large as the file" "$logsize" \
	"$(curl -s --max-time 20 --unix-socket "$sd/run/kubelet-node0.sock" \
		http://node0/containerLogs/default/web/app | wc -c)"
t_eq "followed with limitBytes: that much, then the end" 5000000 \
	"$(curl -s --max-time 20 --unix-socket "$sd/run/kubelet-node0.sock" \
		'http://node0/containerLogs/default/web/app?follow=true&limitBytes=5000000' | wc -c)"
t_eq "through the API server too" "$logsize" "$("$C" --lab "$lab" logs web | wc -c)"
out=$("$C" --lab "$lab" logs web -c nosuch 2>&1); rc=$?
t_eq "logs -c of a container the pod does not have" \
	"1 Error from server (BadRequest): container nosuch is not valid for pod web" "$rc $out"
t_eq "hostname is the pod's name" web "$(nsenter -t "$web_pid" -u hostname 2>&1)"
t_eq "environment is clean: PATH, HOSTNAME" "HOSTNAME=web PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
	"$(tr '\0' '\n' <"/proc/$web_pid/environ" | sort | xargs)"

# --- args and env (Kubernetes semantics), on node1 --------------------------------
put_pod args node1 10.244.1.2 clientip/clientip-echo:0.1 \
	',"env":[{"name":"LISTEN_PORT","value":"9090"},{"name":"GREETING","value":"hi $(LISTEN_PORT)"}],"args":["--listen","[::]:$(LISTEN_PORT)"]'
t_ok "args runs on node1" t_wait 10 running args
t_eq "args replace the image's arguments, \$(VAR) expanded" \
	"$T_BUILD/clientip-echo --listen [::]:9090" "$(tr '\0' ' ' <"/proc/$(st args pid)/cmdline" | sed 's/ $//')"
t_match "env is set and expanded" "GREETING=hi 9090" "$(tr '\0' '\n' <"/proc/$(st args pid)/environ")"
t_ok "it answers on 9090 from node1" \
	t_wait 5 answers node1 http://10.244.1.2:9090/ "::ffff:10.244.1.1"
t_ok "logs of a pod on node1 come from node1's kubelet" t_wait 5 logs_has args "9090"

# --- readiness: httpGet on a port that fails, then passes, then fails -------------
put_pod probe node0 10.244.0.3 nfranssens/nodejs-ip \
	',"readinessProbe":{"httpGet":{"path":"/healthz","port":8081},"periodSeconds":1,"timeoutSeconds":1,"successThreshold":1,"failureThreshold":1}'
t_ok "probe runs" t_wait 10 running probe
sleep 1.5 # a negative: no probe may succeed while nothing listens on 8081
t_eq "probe is not ready while 8081 is closed" false "$(st probe ready)"
t_ok "the kubelet's Unhealthy Event, in kubelet's words" t_wait 5 has_event probe \
	'Unhealthy|Warning|Readiness probe failed: Get "http://10.244.0.3:8081/healthz": dial tcp 10.244.0.3:8081: connect: connection refused'
unhealthy_ge() { [ "$(counts probe | tr ' ' '\n' | sed -n 's/^Unhealthy://p')" -ge "$1" ] 2>/dev/null; }
t_ok "each failed probe counts on that one Event" t_wait 5 unhealthy_ge 2
"$C" --lab "$lab" exec probe -- "$T_BUILD/clientip-echo" --listen '[::]:8081' >/dev/null 2>&1 &
helper=$!
t_defer "kill $helper"
t_ok "probe turns ready once 8081 answers" t_wait 10 ready_is probe true
kill "$helper"; wait "$helper" 2>/dev/null
t_ok "probe turns not ready when 8081 closes" t_wait 10 ready_is probe false
t_eq "the process was not restarted for it" 0 "$(st probe restartCount)"

# --- restarts ------------------------------------------------------------------------
kill -9 "$web_pid"
t_ok "web restarts after its process is killed" t_wait 10 restarted web 1
t_eq "restartCount is 1" 1 "$(st web restartCount)"
t_ok "the restart is a container start again, counted on the same Events" \
	t_wait 5 counts_are web "Pulled:2 Created:2 Started:2"
t_not "with a new pid" test "$(st web pid)" = "$web_pid"
t_ok "and serves again" t_wait 5 answers node0 http://10.244.0.2:8080/ "::ffff:10.244.0.1"
web_pid=$(st web pid)

put_pod crash node0 10.244.0.4 test/crash
# Reason and message from one read: the pod flips between running and back-off.
crash_loop() {
	python3 - "$sd/status/pods/default_crash.json" <<'EOF' 2>/dev/null
import json, re, sys
s = json.load(open(sys.argv[1]))["status"]
sys.exit(not (s.get("reason") == "CrashLoopBackOff" and re.fullmatch(
    r"back-off [0-9.]+m?s restarting failed container=app pod=crash_default\([0-9a-f-]+\): exit code 3",
    s.get("message", ""))))
EOF
}
t_ok "a crashing pod goes to CrashLoopBackOff, saying why" t_wait 15 crash_loop
t_ok "restarts are counted" t_wait 10 restarts_ge crash 2
t_ok "each start wrote to the pod log" t_wait 5 count_ge "$sd/logs/pods/default_crash.log" crash-start 3
t_eq "logs --tail 1 of a restarting pod: its last line" crash-start "$("$C" --lab "$lab" logs crash --tail 1)"
t_eq "--tail 0: nothing" "" "$("$C" --lab "$lab" logs crash --tail 0)"
t_ok "the kubelet's BackOff Event" t_wait 5 has_event crash \
	"BackOff|Warning|Back-off restarting failed container app in pod crash"

# --- unknown image ----------------------------------------------------------------------
put_pod ghost node0 10.244.0.5 example.com/ghost:1.0
# pull_failing REASON...: ghost is Pending with one of these reasons and the
# kubelet-like message naming its image, from one read of its status.
pull_failing() {
	python3 - "$sd/status/pods/default_ghost.json" "$@" <<'EOF' 2>/dev/null
import json, sys
s = json.load(open(sys.argv[1]))["status"]
msg = ('image "example.com/ghost:1.0" not found in the image table '
       '(/etc/clientip/images.conf, $CLIENTIP_IMAGES, built-ins)')
sys.exit(not (s.get("phase") == "Pending" and s.get("reason") in sys.argv[2:]
              and s.get("message") == msg))
EOF
}
# The status shows ErrImagePull only until the first retry (1 s), then
# ImagePullBackOff. So the poll is for what lasts, and the agent's log,
# which names the reason each failed attempt reported, gives the sequence.
t_ok "unknown image: Pending, ErrImagePull or ImagePullBackOff, message naming the image" \
	t_wait 30 pull_failing ErrImagePull ImagePullBackOff
ghost_log='pod default/ghost: %s: image "example\.com/ghost:1\.0" is not in the image table; retrying in %s$'
t_ok "the first failed pull reported ErrImagePull, retried after 1s" \
	t_wait 10 log_has "$agent_log" "$(printf "$ghost_log" ErrImagePull 1s)"
t_ok "the next reported ImagePullBackOff, retried after 2s" \
	t_wait 10 log_has "$agent_log" "$(printf "$ghost_log" ImagePullBackOff 2s)"
t_ok "while it backs off the status says ImagePullBackOff" t_wait 10 pull_failing ImagePullBackOff
out=$("$C" --lab "$lab" logs ghost 2>&1); rc=$?
t_eq "logs of a pod that never started: the kubelet's words" \
	'1 Error from server (BadRequest): container "app" in pod "ghost" is waiting to start: ContainerCreating' \
	"$rc $out"
t_ok "the kubelet's Failed Event names the image and why" t_wait 5 has_event ghost \
	'Failed|Warning|Failed to pull image "example.com/ghost:1.0": image "example.com/ghost:1.0" not found in the image table (/etc/clientip/images.conf, $CLIENTIP_IMAGES, built-ins)'
t_ok "and its BackOff Event" t_wait 5 has_event ghost \
	'BackOff|Normal|Back-off pulling image "example.com/ghost:1.0"'
echo "example.com/ghost:*  /bin/sh -c 'exec sleep 600'" >>"$images"
t_ok "an entry added to the table is picked up at the next retry" t_wait 30 running ghost

# --- deletion: SIGTERM, terminating and still ready, then terminated ----------------------
put_pod slow node1 10.244.1.3 test/slowstop "" 10
t_ok "slow runs" t_wait 10 running slow
t_ok "slow serves" t_wait 5 answers node1 http://10.244.1.3:8080/ "::ffff:10.244.1.1"
slow_pid=$(st slow pid)
# Followed from before the deletion: the stream ends by itself once the
# pod is over, with what the process wrote on its way out.
( "$C" --lab "$lab" logs -f slow >"$T_TMP/slow.follow" 2>&1; echo "rc=$?" >"$T_TMP/slow.follow.end" ) &
follow_started() { grep -q "listening on" "$T_TMP/slow.follow"; }
t_ok "logs -f slow: the output so far" t_wait 5 follow_started
del_pod slow
# slowstop runs on after SIGTERM until released, so the terminating state
# lasts until the test has seen it (or the 10 s grace period ends).
t_ok "deleting: terminating, still ready while it runs" \
	t_wait 9 st_all slow terminating=true ready=true terminated=false
t_ok "the process got SIGTERM" t_wait 5 log_has "$sd/logs/pods/default_slow.log" "got SIGTERM"
t_ok "the kubelet's Killing Event" t_wait 5 has_event slow "Killing|Normal|Stopping container app"
t_ok "it runs on, handling SIGTERM" alive "$slow_pid"
touch "$slow_release"
t_ok "then, terminated, the kubelet deletes it from the API" t_wait 10 pod_gone slow
t_ok "logs -f ends by itself when the pod is over" t_wait 10 test -s "$T_TMP/slow.follow.end"
t_eq "cleanly" rc=0 "$(cat "$T_TMP/slow.follow.end")"
t_match "having followed the output written after it started" "got SIGTERM" "$(cat "$T_TMP/slow.follow")"
t_ok "its processes are gone" gone "$slow_pid"
t_ok "its namespace is gone" no_ns slow
t_ok "its status goes with its api object" t_wait 5 absent "$sd/status/pods/default_slow.json"

put_pod stubborn node1 10.244.1.4 test/stubborn "" 1
t_ok "stubborn runs" t_wait 10 running stubborn
stubborn_pid=$(st stubborn pid)
del_pod stubborn
t_ok "a pod ignoring SIGTERM is killed after its grace period" t_wait 10 pod_gone stubborn
t_ok "it is gone" gone "$stubborn_pid"
t_ok "the agent says so" log_has "$sd/logs/agent-node1.log" "stubborn: grace period over: SIGKILL"

# --- a late report about a pod that another pod of its name replaced -------------------
# The kubelet's status patch names the pod's uid as a precondition: a report
# about a pod that is gone, sent before its kubelet saw it go, is refused
# (409) instead of landing on the pod that took its name. To have the
# kubelet send one: node1's agent is frozen while reborn's process is
# killed, reborn deleted and a new pod named reborn created (not bound:
# with the controller frozen nobody writes its status). Resumed, the agent
# sees the process end before the watch event (epoll hands out ready file
# descriptors in the order they became ready) and reports the crash
# under the old uid. reborn crashed once before, so this second crash
# goes to back-off and the log says so, right before the report is sent.
agent1_log=$sd/logs/agent-node1.log
put_pod reborn node1 10.244.1.5 nfranssens/nodejs-ip
t_ok "reborn runs" t_wait 10 running reborn
kill -9 "$(st reborn pid)"
t_ok "reborn restarts once" t_wait 10 restarted reborn 1
reborn_pid=$(st reborn pid)
# api_has POD "READY RESTARTS": the API has that status, with the process running now.
api_has() { [ "$(api_st "$1")" == "Running $2 pid://$(st "$1" pid)" ]; }
t_ok "the API has the restarted process" t_wait 5 api_has reborn "True 1"
old_uid=$(api /api/v1/namespaces/default/pods/reborn | jq -r .metadata.uid)
agent1=$(cat "$sd/run/agent-node1.pid")
t_ok "agent-node1 frozen" "$C" --lab "$lab" lab kill agent-node1 --signal STOP
t_defer "kill -CONT $agent1"
kill -9 "$reborn_pid"
t_ok "reborn's process ends" t_wait 5 gone "$reborn_pid"
t_ok "reborn deleted from the API at once" del_pod reborn 0
t_ok "a new pod named reborn, bound to no node" t_api_send "$sd" POST /api/v1/namespaces/default/pods \
	<<<'{"apiVersion":"v1","kind":"Pod","metadata":{"name":"reborn"},"spec":{"containers":[{"name":"app","image":"nfranssens/nodejs-ip"}]}}'
# new_pod: what a write to the new pod would change.
new_pod() { api /api/v1/namespaces/default/pods/reborn | jq -c '[.metadata.uid, .metadata.resourceVersion, .status]'; }
before=$(new_pod)
t_not "it has another uid" test "$(jq -r '.[0]' <<<"$before")" == "$old_uid"
t_ok "agent-node1 resumed" "$C" --lab "$lab" lab kill agent-node1 --signal CONT
t_ok "its kubelet reports the old pod's crash (back-off)" t_wait 10 log_has "$agent1_log" \
	"pod default/reborn: killed by signal 9 (KILL); restarting in 1s$"
t_ok "then sees it gone and forgets it" t_wait 10 absent "$sd/status/pods/default_reborn.json"
t_eq "the new pod is untouched: same version, same status" "$before" "$(new_pod)"
t_eq "and has no address or container from the old one's report" "null null" \
	"$(api /api/v1/namespaces/default/pods/reborn | jq -r '"\(.status.hostIP) \(.status.containerStatuses)"')"
t_ok "the refusal is no failure to the kubelet: nothing logged" t_not_has "$agent1_log" "pods/reborn/status"
t_ok "the new reborn deleted" del_pod reborn 0

# --- a frozen API server: one timeout per period, not one per pod ---------------------
# While the API server does not answer, a request holds the agent's loop
# (the service proxy's too) for its 1 s timeout; after one, the kubelet
# leaves its pods' reports and Events for 2 s, the heartbeat's period. So
# between two pod requests that time out there is always a heartbeat (its
# Node read and Lease renewal, which time out too), however many pods have
# news: here three pods whose readiness probe fails every second (an
# Unhealthy Event each time), killed at once and restarted while the server
# is frozen. Each request that fails is in the agent's log (a message
# repeated at once is not). Once the server answers, the statuses catch up.
failing_probe=',"readinessProbe":{"httpGet":{"path":"/healthz","port":8081},"periodSeconds":1,"timeoutSeconds":1,"successThreshold":1,"failureThreshold":1}'
for i in 1 2 3; do put_pod "q$i" node1 "10.244.1.$((5 + i))" nfranssens/nodejs-ip "$failing_probe"; done
for i in 1 2 3; do t_ok "q$i runs" t_wait 10 running "q$i"; done
for i in 1 2 3; do t_ok "the API has q$i's status, not ready" t_wait 5 api_has "q$i" "False 0"; done
apiserver=$(cat "$sd/run/apiserver.pid")
mark=$(stat -c %s "$agent1_log")
t_ok "the API server frozen" "$C" --lab "$lab" lab kill apiserver --signal STOP
t_defer "kill -CONT $apiserver"
q_pids=()
for i in 1 2 3; do q_pids+=("$(st "q$i" pid)"); done
kill -9 "${q_pids[@]}"
for i in 1 2 3; do t_ok "q$i restarted, the server frozen" t_wait 10 restarted "q$i" 1; done
# failed: "beat" or "pod" for each request of node1's kubelet that failed
# since the freeze, in order.
failed() {
	tail -c +$((mark + 1)) "$agent1_log" | sed -n 's/.*API server: [A-Z]* \([^: ]*\): .*/\1/p' |
		sed -E -e 's,^/api/v1/nodes(/node1(/status)?)?$,beat,' \
			-e 's,^/apis/coordination\.k8s\.io/v1/namespaces/kube-node-lease/leases(/node1)?$,beat,' \
			-e 's,^/api/v1/namespaces/default/.*,pod,'
}
beats_ge() { [ "$(failed | grep -c '^beat$')" -ge "$1" ]; }
# A failure repeated with the same message is logged once: while the
# server stays frozen only the heartbeat's Node report is tried (the pods'
# reports keep waiting), so one line stands for every period.
t_ok "the heartbeat fails meanwhile" t_wait 30 beats_ge 1
t_eq "its Lease is left for the next period when the Node report went unanswered" 0 \
	"$(tail -c +$((mark + 1)) "$agent1_log" | grep -c 'API server: [A-Z]* /apis/coordination')"
t_eq "only heartbeats and pods' reports failed" "" "$(failed | grep -vx 'beat\|pod')"
t_eq "never two pods' requests without a heartbeat between" "" \
	"$(failed | uniq -c | awk '$2 == "pod" && $1 > 1')"
t_ok "the API server resumed" "$C" --lab "$lab" lab kill apiserver --signal CONT
for i in 1 2 3; do t_ok "the API catches up with q$i's restart" t_wait 15 api_has "q$i" "False 1"; done
for i in 1 2 3; do del_pod "q$i"; done
for i in 1 2 3; do t_ok "q$i deleted" t_wait 15 pod_gone "q$i"; done

# --- the agent SIGKILLed and restarted adopts its pods ----------------------------------
# Frozen first, so that ghost's api object can disappear while the agent
# cannot see it go; then SIGKILLed, and the lab's supervisor starts a new one.
agent=$(cat "$sd/run/agent-node0.pid")
ghost_pid=$(st ghost pid)
t_ok "agent-node0 frozen" "$C" --lab "$lab" lab kill agent-node0 --signal STOP
t_ok "web still serves while its agent is frozen" answers node0 http://10.244.0.2:8080/ "::ffff:10.244.0.1"
del_pod ghost 0
t_ok "ghost still runs: nobody saw it go" alive "$ghost_pid"
t_ok "then killed" "$C" --lab "$lab" lab kill agent-node0 --signal KILL
t_ok "agent-node0 is gone" t_wait 5 gone "$agent"
# The supervisor's new agent may already be stopping ghost: only web is
# sure to be alive here.
t_ok "its pods are not: web" alive "$web_pid"
restarted_agent() { [ "$(cat "$sd/run/agent-node0.pid")" != "$agent" ]; }
t_ok "the supervisor starts a new agent" t_wait 5 restarted_agent
agent=$(cat "$sd/run/agent-node0.pid")
t_ok "the new agent adopts web" t_wait 10 log_has "$agent_log" "pod default/web: adopted running process $web_pid"
t_eq "same pid in the status" "$web_pid" "$(st web pid)"
t_eq "restartCount unchanged" 1 "$(st web restartCount)"
t_eq "adopting is no container start: no new Event" "Pulled:2 Created:2 Started:2" \
	"$(counts web)"
t_ok "web still serves" answers node0 http://10.244.0.2:8080/ "::ffff:10.244.0.1"
t_ok "the pod's parent is not the new agent" test "$(ps -o ppid= -p "$web_pid" | tr -d ' ')" != "$agent"
"$C" --lab "$lab" exec probe -- "$T_BUILD/clientip-echo" --listen '[::]:8081' >/dev/null 2>&1 &
helper=$!
t_defer "kill $helper"
t_ok "probes resume: probe turns ready" t_wait 10 ready_is probe true
t_ok "a pod deleted while the agent was away is cleaned up" t_wait 10 gone "$ghost_pid"
t_ok "its namespace too" t_wait 5 no_ns ghost
t_ok "and its status" t_wait 5 absent "$sd/status/pods/default_ghost.json"
kill -9 "$web_pid"
t_ok "an adopted pod that dies is restarted" t_wait 10 restarted web 2
kill "$helper"; wait "$helper" 2>/dev/null

# --- everything deleted: no pod namespace left ---------------------------------------------
for p in web probe crash args; do del_pod "$p"; done
for p in web probe crash args; do
	t_ok "$p terminated, then deleted by its kubelet" t_wait 10 pod_gone "$p"
done
t_ok "no pod namespace left" t_wait 5 no_pod_ns
t_ok "no pod status left" t_wait 5 empty_dir "$sd/status/pods"

t_done
