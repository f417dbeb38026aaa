#!/usr/bin/env bash
# clientip-apiserver on its own, at its edges: a standalone server on an
# empty run directory (its lab's state files are then inert), driven with
# curl on 127.0.0.1. Bad input of every kind is refused with the right
# Status and stores nothing; stale updates conflict; allocation of
# ClusterIPs and NodePorts; the three patch types and server-side apply;
# watches resume only after a resourceVersion, expire across a restart and
# end at timeoutSeconds; namespaces finish deleting what is in them;
# objects, uids, versions and the version counter survive kill -9;
# selectors, paging and Tables; a Lease as a node renews it.
. "$(dirname "$0")/lib.sh"

API=$T_BUILD/clientip-apiserver
[ -x "$API" ] || t_skip_all "$API not built"
command -v curl >/dev/null 2>&1 || t_skip_all "curl not installed"
command -v jq >/dev/null 2>&1 || t_skip_all "jq not installed (scripts/deps.sh)"

RUN=$(mktemp -d "/tmp/clientip-apiserver-run.XXXXXX")
t_defer "rm -rf $RUN"
lab=$(t_unique)
LOG=$RUN/server.log
PID=
B=

api_stop_kill() { [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; PID=; }
t_defer api_stop_kill

api_up() { curl -sf -o /dev/null "http://127.0.0.1:$(cat "$RUN/$lab/apiserver.port")/version"; }

# Starts the server on $RUN and waits until it answers; sets PID and B.
api_start() {
	rm -f "$RUN/$lab/apiserver.port"
	CLIENTIP_RUN_DIR=$RUN "$API" --lab "$lab" >>"$LOG" 2>&1 &
	PID=$!
	if ! t_wait 20 api_up; then
		t_fail "server starts" "$(tail -n 20 "$LOG")"
		t_done
		exit 1
	fi
	B=http://127.0.0.1:$(cat "$RUN/$lab/apiserver.port")
}

# req METHOD PATH: sets CODE and BODY (the response's).
req() {
	CODE=$(curl -s -o "$T_TMP/body" -w '%{http_code}' -X "$1" "$B$2")
	BODY=$(cat "$T_TMP/body")
}
# send METHOD PATH BODY [CONTENT-TYPE]: the same with a request body.
send() {
	CODE=$(printf '%s' "$3" | curl -s -o "$T_TMP/body" -w '%{http_code}' -X "$1" \
		-H "Content-Type: ${4:-application/json}" --data-binary @- "$B$2")
	BODY=$(cat "$T_TMP/body")
}
j() { jq -r "$1" <<<"$BODY"; }

NS=/api/v1/namespaces
SVC=$NS/default/services
DEP=/apis/apps/v1/namespaces/default/deployments
CM=$NS/default/configmaps

svc_json() { # NAME [PORT-EXTRA [TYPE [SPEC-EXTRA]]]: a Service of port 80 selecting app=NAME
	printf '{"apiVersion":"v1","kind":"Service","metadata":{"name":"%s","labels":{"app":"%s"}},' "$1" "$1"
	printf '"spec":{"type":"%s","selector":{"app":"%s"},"ports":[{"port":80,"targetPort":8080%s}]%s}}' \
		"${3:-NodePort}" "$1" "${2:-}" "${4:-}"
}

api_start
t_match "the server logs where it serves" "serving on 127\.0\.0\.1:[0-9]+" "$(cat "$LOG")"

# ---- bad input ------------------------------------------------------------
req GET "$SVC"
t_eq "services: none at first" "200 0" "$CODE $(j '.items | length')"
list_before=$(j '[.items[].metadata.name] | join(",")')
rv_before=$(j .metadata.resourceVersion)

send POST "$SVC" '{"apiVersion":"v1","kind":"Service",'
t_eq "malformed JSON: 400 BadRequest" "400 Status BadRequest" \
	"$CODE $(j .kind) $(j .reason)"
t_match "malformed JSON: the parser's message" "not valid JSON" "$(j .message)"

head -c $((3 * 1024 * 1024 + 16)) /dev/zero | tr '\0' ' ' >"$T_TMP/big"
CODE=$(curl -s -o "$T_TMP/body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
	--data-binary @"$T_TMP/big" "$B$SVC")
BODY=$(cat "$T_TMP/body")
t_eq "a body over 3 MiB: 413" "413 RequestEntityTooLarge" "$CODE $(j .reason)"

send POST "$SVC" '[{"apiVersion":"v1","kind":"Service","metadata":{"name":"arr"}}]'
t_eq "a JSON array instead of an object: 400 BadRequest" "400 BadRequest" "$CODE $(j .reason)"

send POST "$SVC" '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"wrongkind"}}'
t_eq "a ConfigMap posted to services: 400" "400 BadRequest" "$CODE $(j .reason)"
t_match "wrong kind: says which kinds" "ConfigMap.*Service" "$(j .message)"

send POST "$SVC" "$(svc_json Upper)"
t_eq "a Service named with uppercase: 422 Invalid" "422 Invalid" "$CODE $(j .reason)"
t_eq "invalid name: the cause is on metadata.name" "metadata.name" \
	"$(j '[.details.causes[].field] | join(",")')"
t_eq "invalid name: details name the object" "Upper Service" "$(j '.details.name + " " + .details.kind')"

dep_json() { # NAME SELECTOR-APP TEMPLATE-APP
	cat <<JSON
{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"$1"},
 "spec":{"replicas":1,"selector":{"matchLabels":{"app":"$2"}},
  "template":{"metadata":{"labels":{"app":"$3"}},
   "spec":{"containers":[{"name":"web","image":"nginx",
    "ports":[{"containerPort":8080},{"containerPort":9090}]}]}}}}
JSON
}
send POST "$DEP" "$(dep_json mismatch one other)"
t_eq "a Deployment whose selector misses its template: 422 Invalid" "422 Invalid" \
	"$CODE $(j .reason)"
t_match "selector mismatch: the cause is on the template's labels" \
	"spec.template.metadata.labels" "$(j '[.details.causes[].field] | join(",")')"

req GET "$NS/default/widgets"
t_eq "an unknown resource: 404 NotFound" "404 NotFound" "$CODE $(j .reason)"
req GET "/apis/nothing.example.com/v1/widgets"
t_eq "an unknown group: 404" "404" "$CODE"

send POST "$SVC" $'k8s\x00\x0a\x0bprotobuf' application/vnd.kubernetes.protobuf
t_eq "a malformed protobuf body: 400 BadRequest" "400 BadRequest" "$CODE $(j .reason)"
send POST "$SVC" '{}' application/x-unknown
t_eq "an unknown media type: 415 UnsupportedMediaType" "415 UnsupportedMediaType" "$CODE $(j .reason)"

t_ok "after the bad requests the server is still alive" kill -0 "$PID"
req GET "$SVC"
t_eq "after the bad requests nothing was stored" "200 $list_before" \
	"$CODE $(j '[.items[].metadata.name] | join(",")')"
t_eq "after the bad requests no version was spent" "$rv_before" "$(j .metadata.resourceVersion)"
req GET "$DEP"
t_eq "after the bad requests no Deployment either" "0" "$(j '.items | length')"

# ---- create, get, optimistic concurrency --------------------------------
send POST "$SVC" "$(svc_json alpha)"
t_eq "create a Service: 201" "201 Service alpha" "$CODE $(j .kind) $(j .metadata.name)"
alpha=$BODY
send POST "$SVC" "$(svc_json alpha)"
t_eq "create it again: 409 AlreadyExists" "409 AlreadyExists" "$CODE $(j .reason)"
t_eq "AlreadyExists: the real message" 'services "alpha" already exists' "$(j .message)"
req GET "$SVC/x"
t_eq "get a missing Service: 404 NotFound" "404 NotFound" "$CODE $(j .reason)"
t_eq "NotFound: the real message" 'services "x" not found' "$(j .message)"

rv0=$(jq -r .metadata.resourceVersion <<<"$alpha")
upd=$(jq -c '.metadata.labels.tier = "one"' <<<"$alpha")
send PUT "$SVC/alpha" "$upd"
t_eq "update with the current resourceVersion: 200" "200 one" "$CODE $(j .metadata.labels.tier)"
rv1=$(j .metadata.resourceVersion)
t_ok "the update has a higher resourceVersion ($rv0 -> $rv1)" test "$rv1" -gt "$rv0"
send PUT "$SVC/alpha" "$(jq -c '.metadata.labels.tier = "stale"' <<<"$alpha")"
t_eq "update with a stale resourceVersion: 409 Conflict" "409 Conflict" "$CODE $(j .reason)"
t_match "Conflict: says to apply to the latest version" "latest version" "$(j .message)"
req GET "$SVC/alpha"
t_eq "the stale update changed nothing" "one $rv1" \
	"$(j .metadata.labels.tier) $(j .metadata.resourceVersion)"

# ---- allocation ---------------------------------------------------------
send POST "$SVC" "$(svc_json beta)"
t_eq "a second Service: 201" "201" "$CODE"
beta=$BODY
a_ip=$(jq -r .spec.clusterIP <<<"$alpha"); b_ip=$(jq -r .spec.clusterIP <<<"$beta")
a_np=$(jq -r '.spec.ports[0].nodePort' <<<"$alpha"); b_np=$(jq -r '.spec.ports[0].nodePort' <<<"$beta")
t_match "ClusterIPs allocated ($a_ip, $b_ip)" '^10\.[0-9.]+ 10\.[0-9.]+$' "$a_ip $b_ip"
t_ok "the two ClusterIPs differ" test "$a_ip" != "$b_ip"
t_match "NodePorts allocated ($a_np, $b_np)" '^3[0-9]{4} 3[0-9]{4}$' "$a_np $b_np"
t_ok "the two NodePorts differ" test "$a_np" != "$b_np"

send POST "$SVC" "$(svc_json gamma ",\"nodePort\":$a_np")"
t_eq "a nodePort already in use: 422 Invalid" "422 Invalid" "$CODE $(j .reason)"
t_match "nodePort in use: the cause is on the port" "spec.ports\[0\].nodePort" \
	"$(j '[.details.causes[].field] | join(",")')"
req GET "$SVC/gamma"
t_eq "the refused Service was not stored" "404" "$CODE"
send POST "$SVC" '{"apiVersion":"v1","kind":"Service","metadata":{"name":"notype"},"spec":{"ports":[{"port":80}]}}'
t_eq "a Service without a type: a ClusterIP one, with an address" "201 ClusterIP yes" \
	"$CODE $(j .spec.type) $([[ $(j .spec.clusterIP) =~ ^10\.0\. ]] && echo yes)"
req DELETE "$SVC/notype"
send POST "$SVC" "$(svc_json delta)"
d_ip=$(j .spec.clusterIP); d_np=$(j '.spec.ports[0].nodePort')
req DELETE "$SVC/delta"
send POST "$SVC" "$(svc_json epsilon)"
t_eq "a deleted Service's ClusterIP and NodePort are free again (lowest first)" \
	"201 $d_ip $d_np" "$CODE $(j .spec.clusterIP) $(j '.spec.ports[0].nodePort')"
req DELETE "$SVC/epsilon"
send PATCH "$SVC/beta" '{"spec":{"type":"ClusterIP"}}' application/merge-patch+json
send POST "$SVC" "$(svc_json zeta)"
t_eq "a NodePort given up by a change is free again" "$b_np" "$(j '.spec.ports[0].nodePort')"
req DELETE "$SVC/zeta"
send PATCH "$SVC/beta" "{\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"targetPort\":8080,\"nodePort\":$b_np}]}}" \
	application/merge-patch+json
t_eq "and can be taken back" "200 $b_np" "$CODE $(j '.spec.ports[0].nodePort')"

send POST "$SVC" "$(svc_json lblocal "" LoadBalancer ',"externalTrafficPolicy":"Local"')"
t_eq "a LoadBalancer Service with externalTrafficPolicy Local: 201" "201 Local" \
	"$CODE $(j .spec.externalTrafficPolicy)"
t_match "it gets a healthCheckNodePort" '^3[0-9]{4}$' "$(j .spec.healthCheckNodePort)"
t_ok "the healthCheckNodePort is not one of its NodePorts" \
	test "$(j .spec.healthCheckNodePort)" != "$(j '.spec.ports[0].nodePort')"

req GET "$SVC/beta"
send PUT "$SVC/beta" "$(jq -c '.spec.clusterIP = "10.0.0.99" | .spec.clusterIPs = ["10.0.0.99"]' \
	<<<"$BODY")"
t_eq "changing clusterIP on update: 422 Invalid" "422 Invalid" "$CODE $(j .reason)"
t_match "clusterIP change: the cause is on spec.clusterIP" "spec.clusterIPs?" \
	"$(j '[.details.causes[].field] | join(",")')"
req GET "$SVC/beta"
t_eq "the clusterIP stayed" "$b_ip" "$(j .spec.clusterIP)"

# ---- patches ------------------------------------------------------------
send PATCH "$SVC/alpha" '{"metadata":{"labels":{"tier":null,"merge":"yes"}}}' \
	application/merge-patch+json
t_eq "merge patch: 200, sets and removes labels" "200 yes null" \
	"$CODE $(j .metadata.labels.merge) $(j .metadata.labels.tier)"
rv_p=$(j .metadata.resourceVersion)

send PATCH "$SVC/alpha" '[{"op":"test","path":"/metadata/labels/merge","value":"no"},
	{"op":"add","path":"/metadata/labels/jp","value":"x"}]' application/json-patch+json
t_eq "JSON patch whose test fails: 422" "422" "$CODE"
req GET "$SVC/alpha"
t_eq "the failed JSON patch changed nothing" "null $rv_p" \
	"$(j .metadata.labels.jp) $(j .metadata.resourceVersion)"
send PATCH "$SVC/alpha" '[{"op":"test","path":"/metadata/labels/merge","value":"yes"},
	{"op":"add","path":"/metadata/labels/jp","value":"x"}]' application/json-patch+json
t_eq "JSON patch whose test holds: 200 and applied" "200 x" "$CODE $(j .metadata.labels.jp)"

send POST "$DEP" "$(dep_json web web web)"
t_eq "a Deployment with two container ports: 201" "201 8080,9090" \
	"$CODE $(j '[.spec.template.spec.containers[0].ports[].containerPort] | join(",")')"
send PATCH "$DEP/web" '{"spec":{"template":{"spec":{"containers":[{"name":"web",
	"ports":[{"containerPort":8080,"$patch":"delete"}]}]}}}}' \
	application/strategic-merge-patch+json
t_eq "strategic merge patch \$patch: delete drops that port only" "200 9090 nginx" \
	"$CODE $(j '[.spec.template.spec.containers[0].ports[].containerPort] | join(",")') $(j \
	'.spec.template.spec.containers[0].image')"
t_eq "a template change bumps the generation" "2" "$(j .metadata.generation)"

applied() { # LABELS-YAML
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\n  labels:\n%s\ndata:\n  k: v\n' "$1"
}
send PATCH "$CM/applied?fieldManager=t" "$(applied $'    a: "1"\n    b: "2"')" \
	application/apply-patch+yaml
t_match "server-side apply creates: 200/201" "^20[01]$" "$CODE"
t_eq "apply: labels and data as applied" "1 2 v" \
	"$(j .metadata.labels.a) $(j .metadata.labels.b) $(j .data.k)"
t_eq "apply: managedFields names the manager t (Apply)" "t Apply" \
	"$(j '[.metadata.managedFields[] | select(.manager == "t") | .manager + " " + .operation] | join(",")')"
send PATCH "$CM/applied?fieldManager=t" "$(applied $'    a: "1"')" application/apply-patch+yaml
t_eq "a second apply without label b removes it" "200 1 null" \
	"$CODE $(j .metadata.labels.a) $(j .metadata.labels.b)"
send PATCH "$CM/applied" "$(applied $'    a: "1"')" application/apply-patch+yaml
t_eq "apply without fieldManager: 422 Invalid on PatchOptions" "422 Invalid PatchOptions" \
	"$CODE $(j .reason) $(j .details.kind)"
t_eq "apply without fieldManager: the real message" \
	'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch' \
	"$(j .message)"

# ---- watch --------------------------------------------------------------
# The list's resourceVersion is the newest: only what follows it comes.
req GET "$SVC"
rv_w=$(j .metadata.resourceVersion)
curl -s -N "$B$SVC?watch=true&resourceVersion=$rv_w" >"$T_TMP/watch1" 2>/dev/null &
wpid=$!
t_defer "kill $wpid"
send PATCH "$SVC/beta" '{"metadata":{"labels":{"watched":"yes"}}}' application/merge-patch+json
watched() { grep -q '"type":"MODIFIED".*"watched":"yes"' "$T_TMP/watch1"; }
t_ok "watch from a resourceVersion: the later change arrives as MODIFIED" t_wait 10 watched
t_eq "watch from a resourceVersion: nothing from before it" "" \
	"$(grep -v '"watched":"yes"' "$T_TMP/watch1" | grep -v BOOKMARK)"
kill "$wpid" 2>/dev/null; wait "$wpid" 2>/dev/null

start=$(date +%s)
t_ok "watch with timeoutSeconds=1 ends the stream" \
	timeout 15 curl -sf -N -o "$T_TMP/watch2" "$B$SVC?watch=true&timeoutSeconds=1"
t_ok "it ended within a few seconds" test $(( $(date +%s) - start )) -le 8
t_eq "that watch started with every Service as ADDED" "alpha beta lblocal" \
	"$(jq -r 'select(.type == "ADDED") | .object.metadata.name' "$T_TMP/watch2" | sort | xargs)"

# ---- unknown fields -----------------------------------------------------
# fieldValidation: Warn (the default, also what kubectl --validate=warn
# sends) stores the object without them and names each in a Warning
# header; Ignore drops them silently; Strict refuses the object.
fv_json() { # NAME
	printf '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"%s","bogus":1},' "$1"
	printf '"data":{"a":"1"},"spec":{"x":true}}'
}
# sendh METHOD PATH BODY [CONTENT-TYPE]: send, with the response's headers
# in $T_TMP/head.
sendh() {
	CODE=$(printf '%s' "$3" | curl -s -D "$T_TMP/head" -o "$T_TMP/body" -w '%{http_code}' \
		-X "$1" -H "Content-Type: ${4:-application/json}" --data-binary @- "$B$2")
	BODY=$(cat "$T_TMP/body")
}
sendh POST "$CM" "$(fv_json fv-default)"
t_eq "unknown fields, no fieldValidation (Warn): created" "201" "$CODE"
t_eq "Warn: one Warning header per unknown field, as kube-apiserver words them" \
	'Warning: 299 - "unknown field \"metadata.bogus\""
Warning: 299 - "unknown field \"spec\""' "$(grep -i '^warning:' "$T_TMP/head" | tr -d '\r')"
t_eq "Warn: the object is stored without them" '{"a":"1"} null null' \
	"$(jq -c .data <<<"$BODY") $(j .spec) $(j .metadata.bogus)"
req GET "$CM/fv-default"
t_eq "Warn: a read gives it without them too" "null null" "$(j .spec) $(j .metadata.bogus)"
sendh POST "$CM?fieldValidation=Warn" "$(fv_json fv-warn)"
t_eq "fieldValidation=Warn: created, two Warning headers" "201 2" \
	"$CODE $(grep -ci '^warning:' "$T_TMP/head")"
sendh PATCH "$CM/fv-warn" '{"data":{"b":"2"},"extra":1}' application/merge-patch+json
t_eq "a merge patch that adds an unknown field: applied, warned" \
	'200 2 Warning: 299 - "unknown field \"extra\""' \
	"$CODE $(j '.data | length') $(grep -i '^warning:' "$T_TMP/head" | tr -d '\r')"
sendh POST "$CM?fieldValidation=Ignore" "$(fv_json fv-ignore)"
t_eq "fieldValidation=Ignore: created, no Warning header" "201 0" \
	"$CODE $(grep -ci '^warning:' "$T_TMP/head")"
sendh POST "$CM?fieldValidation=Strict" "$(fv_json fv-strict)"
t_eq "fieldValidation=Strict: 400 BadRequest" "400 BadRequest" "$CODE $(j .reason)"
t_match "Strict: the message names both" 'unknown field \"metadata.bogus\", unknown field \"spec\"' \
	"$(j .message)"
sendh POST "$CM" '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fv-clean"}}'
t_eq "an object without unknown fields: no Warning header" "201 0" \
	"$CODE $(grep -ci '^warning:' "$T_TMP/head")"

# ---- OpenAPI documents: ETag and 304 ------------------------------------
# geth PATH [HEADER]: GET; CODE, BODY, the headers in $T_TMP/head.
geth() {
	: >"$T_TMP/body" # curl leaves the file as it was when no body comes
	CODE=$(curl -s -D "$T_TMP/head" -o "$T_TMP/body" -w '%{http_code}' ${2:+-H "$2"} "$B$1")
	BODY=$(cat "$T_TMP/body")
}
hdr() { grep -i "^$1:" "$T_TMP/head" | head -n 1 | cut -d' ' -f2- | tr -d '\r'; }
PB='Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf'
geth /openapi/v3
apps_url=$(j '.paths["apis/apps/v1"].serverRelativeURL')
t_match "v3 root: a hash in each document's URL" '^/openapi/v3/apis/apps/v1\?hash=[0-9A-F]{16}$' \
	"$apps_url"
geth "$apps_url"
t_eq "v3 document: its ETag is the hash in the root's URL" "\"${apps_url##*hash=}\"" "$(hdr etag)"
t_eq "v3 document by its hash: cacheable for good" "public, immutable" "$(hdr cache-control)"
apps_etag=$(hdr etag)
apps_body=$BODY
geth "$apps_url" "If-None-Match: $apps_etag"
t_eq "v3 document, If-None-Match its ETag: 304 without a body" "304 0" \
	"$CODE $(stat -c %s "$T_TMP/body")"
geth /openapi/v3/apis/apps/v1 'If-None-Match: "0000000000000000", W/'"$apps_etag"
t_eq "v3 document without the hash, its (weak) ETag in a list: 304, not immutable" "304 " \
	"$CODE $(hdr cache-control)"
geth /openapi/v3/apis/apps/v1 'If-None-Match: "0000000000000000"'
t_eq "v3 document, another ETag: 200, the same document" "200 yes" \
	"$CODE $([ "$BODY" = "$apps_body" ] && echo yes)"
geth /openapi/v2 "$PB"
v2_etag=$(hdr etag)
t_match "v2 (protobuf): an ETag" '^"[0-9A-F]{16}"$' "$v2_etag"
geth /openapi/v2 "Accept: application/json"
t_match "v2 (JSON): an ETag of its own" '^"[0-9A-F]{16}"$' "$(hdr etag)"
t_ok "v2: JSON and protobuf ETags differ" test "$(hdr etag)" != "$v2_etag"
curl -s -o /dev/null -H "$PB" -H "If-None-Match: $v2_etag" -w '%{http_code}' "$B/openapi/v2" \
	>"$T_TMP/code"
t_eq "v2 (protobuf), If-None-Match its ETag: 304" "304" "$(cat "$T_TMP/code")"
geth /openapi/v3/apis/nothing.example.com/v1
t_eq "v3 document of a group not served: 404" "404" "$CODE"

# ---- namespaces ---------------------------------------------------------
send POST "$NS" '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"doomed"}}'
t_eq "create namespace doomed: 201" "201" "$CODE"
send POST "$NS/doomed/configmaps" '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"inside"}}'
t_eq "a ConfigMap in it: 201" "201" "$CODE"
req DELETE "$NS/doomed"
t_eq "delete the namespace: 200" "200" "$CODE"
req GET "$NS/doomed"
t_match "the namespace is Terminating or already gone" "^(200 Terminating|404 NotFound)$" \
	"$CODE $(j 'if .kind == "Status" then .reason else .status.phase end')"
ns_gone() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$B$NS/doomed")" = 404 ]; }
cm_gone() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$B$NS/doomed/configmaps/inside")" = 404 ]; }
t_ok "the namespace goes" t_wait 15 ns_gone
t_ok "its ConfigMap is gone with it" cm_gone
send POST "$NS/x/configmaps" '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}'
t_eq "create in a missing namespace: 404" "404 NotFound" "$CODE $(j .reason)"
t_eq "missing namespace: the real message" 'namespaces "x" not found' "$(j .message)"

# ---- selectors, paging, Tables ------------------------------------------
req GET "$SVC?fieldSelector=metadata.name%3Dbeta"
t_eq "fieldSelector metadata.name=beta" "beta" "$(j '[.items[].metadata.name] | join(",")')"
req GET "$SVC?fieldSelector=metadata.name!%3Dbeta"
t_eq "fieldSelector metadata.name!=beta" "alpha,lblocal" "$(j '[.items[].metadata.name] | join(",")')"
req GET "$SVC?labelSelector=app%20in%20(alpha,lblocal)"
t_eq "labelSelector app in (alpha,lblocal)" "alpha,lblocal" \
	"$(j '[.items[].metadata.name] | join(",")')"
req GET "$SVC?labelSelector=merge"
t_eq "labelSelector merge (exists)" "alpha" "$(j '[.items[].metadata.name] | join(",")')"
req GET "$SVC?labelSelector=app%20in%20(alpha"
t_eq "a malformed labelSelector (no closing parenthesis): 400" "400 BadRequest" \
	"$CODE $(j .reason)"
req GET "$SVC?labelSelector=app%3D%3D"
t_eq "labelSelector app== (equal to empty): valid, nothing matches" "200 0" \
	"$CODE $(j '.items | length')"
req GET "$SVC?fieldSelector=spec.nothing%3Dx"
t_eq "an unsupported fieldSelector field: 400" "400" "$CODE"

# Across namespaces: namespace then name, "ord" before "ord-b" although
# '-' sorts before '/' byte by byte.
for ns in ord-b ord; do
	send POST "$NS" "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"$ns\"}}"
	for n in b a; do
		send POST "$NS/$ns/configmaps" \
			"{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"$n\",\"labels\":{\"ord\":\"1\"}}}"
	done
done
req GET "/api/v1/configmaps?labelSelector=ord"
t_eq "a list across namespaces: namespace then name" "ord/a ord/b ord-b/a ord-b/b" \
	"$(j '[.items[].metadata | .namespace + "/" + .name] | join(" ")')"

req GET "$SVC?limit=1"
t_eq "limit=1: one item, the first by name" "1 alpha" "$(j '.items | length') $(j '.items[0].metadata.name')"
tok=$(j '.metadata.continue // ""')
t_match "limit=1: a continue token" '.+' "$tok"
req GET "$SVC?limit=1&continue=$(jq -rn --arg t "$tok" '$t | @uri')"
t_eq "the next page: the second item" "1 beta" "$(j '.items | length') $(j '.items[0].metadata.name')"
# The first page's object goes before the next page is asked for: the
# next page must still start right after it, not one further.
req GET "/api/v1/namespaces/ord/configmaps?limit=1"
tok=$(j '.metadata.continue // ""')
req DELETE "/api/v1/namespaces/ord/configmaps/a"
req GET "/api/v1/namespaces/ord/configmaps?limit=1&continue=$(jq -rn --arg t "$tok" '$t | @uri')"
t_eq "a page after a deletion starts after the previous page's last object" "b" \
	"$(j '.items[0].metadata.name')"
req GET "$SVC?limit=1&continue=garbage"
t_eq "a bad continue token: 400" "400" "$CODE"

CODE=$(curl -s -o "$T_TMP/body" -w '%{http_code}' \
	-H 'Accept: application/json;as=Table;v=v1;g=meta.k8s.io' "$B$SVC")
BODY=$(cat "$T_TMP/body")
t_eq "Table: kind Table" "200 Table" "$CODE $(j .kind)"
t_match "Table: Cluster-IP and Type columns" "Type.*Cluster-IP" \
	"$(j '[.columnDefinitions[].name] | join(",")')"
t_eq "Table: one row per Service, with cells" "3 alpha" \
	"$(j '.rows | length') $(j '.rows[0].cells[0]')"
t_eq "Table: the Cluster-IP cell" "$a_ip" \
	"$(j '(.columnDefinitions | map(.name) | index("Cluster-IP")) as $i | .rows[0].cells[$i]')"

# ---- a pod bound by the scheduler, its status from its kubelet -------------
PODS=$NS/default/pods
send POST "$PODS" '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"bindme"},"spec":{"containers":[{"name":"c","image":"clientip-echo"}]}}'
t_eq "create an unbound pod: 201, no node" "201 null" "$CODE $(j .spec.nodeName)"
pod_uid=$(j .metadata.uid)
binding() { # NODE
	printf '{"apiVersion":"v1","kind":"Binding","metadata":{"name":"bindme","annotations":{"clientip.io/pod-ip":"10.244.1.7"}},"target":{"apiVersion":"v1","kind":"Node","name":"%s"}}' "$1"
}
send POST "$PODS/bindme/binding" "$(binding node1)"
t_eq "bind it: 201, a Success Status" "201 Status Success" "$CODE $(j .kind) $(j .status)"
req GET "$PODS/bindme"
t_eq "bound: its node, the Binding's annotation, PodScheduled True" "node1 10.244.1.7 True" \
	"$(j .spec.nodeName) $(j '.metadata.annotations["clientip.io/pod-ip"]') $(j '.status.conditions[] | select(.type == "PodScheduled") | .status')"
send POST "$PODS/bindme/binding" "$(binding node0)"
t_eq "bind it again: 409, already assigned, the node unchanged" "409 Conflict" "$CODE $(j .reason)"
t_match "in the server's words" 'pod bindme is already assigned to node "node1"' "$(j .message)"
send POST "$PODS/nobody/binding" "$(binding node0)"
t_eq "bind a pod that does not exist: 404" "404 NotFound" "$CODE $(j .reason)"
send PATCH "$PODS/bindme/status" "{\"metadata\":{\"uid\":\"$pod_uid\"},\"status\":{\"phase\":\"Running\"}}" \
	application/merge-patch+json
t_eq "a status patch with the pod's uid: 200" "200 Running" "$CODE $(j .status.phase)"
send PATCH "$PODS/bindme/status" '{"metadata":{"uid":"0000-other"},"status":{"phase":"Failed"}}' \
	application/merge-patch+json
t_eq "with another uid (a new pod of the name): 409, nothing changed" "409 Conflict" "$CODE $(j .reason)"
req GET "$PODS/bindme"
t_eq "still Running" "Running" "$(j .status.phase)"
req DELETE "$PODS/bindme?gracePeriodSeconds=0"
t_eq "deleted at once with grace 0" "200" "$CODE"

# ---- a Lease (coordination.k8s.io/v1), as a node renews it ----------------
LEASES=/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases
lease_json() { # NAME HOLDER RENEW-TIME [SPEC-EXTRA]
	printf '{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"%s"},' "$1"
	printf '"spec":{"holderIdentity":"%s","leaseDurationSeconds":40,' "$2"
	printf '"acquireTime":"2026-12-05T08:00:00.123456Z","renewTime":"%s"%s}}' "$3" "${4:-}"
}
send POST "$LEASES" "$(lease_json node-1 node-1 2026-12-05T08:00:00.123456Z)"
t_eq "create a Lease in kube-node-lease: 201" "201 Lease coordination.k8s.io/v1 kube-node-lease" \
	"$CODE $(j .kind) $(j .apiVersion) $(j .metadata.namespace)"
rv_l0=$(j .metadata.resourceVersion)
req GET "$LEASES/node-1"
t_eq "get the Lease back: its spec as sent, microseconds kept" \
	'200 {"acquireTime":"2026-12-05T08:00:00.123456Z","holderIdentity":"node-1","leaseDurationSeconds":40,"renewTime":"2026-12-05T08:00:00.123456Z"}' \
	"$CODE $(jq -cS .spec <<<"$BODY")"
send PATCH "$LEASES/node-1" '{"spec":{"renewTime":"2026-12-05T08:00:10.654321Z"}}' \
	application/merge-patch+json
t_eq "merge patch of renewTime: 200, the new time, the rest kept" \
	"200 2026-12-05T08:00:10.654321Z node-1 40" \
	"$CODE $(j .spec.renewTime) $(j .spec.holderIdentity) $(j .spec.leaseDurationSeconds)"
rv_l1=$(j .metadata.resourceVersion)
t_ok "the renewal has a higher resourceVersion ($rv_l0 -> $rv_l1)" test "$rv_l1" -gt "$rv_l0"
t_eq "a Lease has no generation, before or after a renewal (as upstream's strategy)" "null" \
	"$(j .metadata.generation)"
req GET "$LEASES/node-1"
t_eq "the renewal is stored" "2026-12-05T08:00:10.654321Z $rv_l1" \
	"$(j .spec.renewTime) $(j .metadata.resourceVersion)"
send PATCH "$LEASES/node-1" '{"spec":{"renewTime":"2026-12-05T08:00:20.000001Z"}}' \
	application/strategic-merge-patch+json
t_eq "strategic merge patch of renewTime: 200 and applied" "200 2026-12-05T08:00:20.000001Z" \
	"$CODE $(j .spec.renewTime)"
CODE=$(curl -s -o "$T_TMP/body" -w '%{http_code}' \
	-H 'Accept: application/json;as=Table;v=v1;g=meta.k8s.io' "$B$LEASES")
BODY=$(cat "$T_TMP/body")
t_eq "Table of leases: the columns kubectl prints as NAME HOLDER AGE" "200 Name,Holder,Age" \
	"$CODE $(j '[.columnDefinitions[].name] | join(",")')"
t_eq "Table of leases: the holder's cell" "node-1 node-1" \
	"$(j '.rows[0].cells[0]') $(j '.rows[0].cells[1]')"
sendh POST "$LEASES?fieldValidation=Strict" \
	"$(lease_json node-2 node-2 2026-12-05T08:00:00.000000Z ',"renewTimes":"x"')"
t_eq "a Lease with an unknown field under spec, fieldValidation=Strict: 400" "400 BadRequest" \
	"$CODE $(j .reason)"
t_match "Strict: the message names spec.renewTimes" 'unknown field \"spec.renewTimes\"' \
	"$(j .message)"
req GET "$LEASES/node-2"
t_eq "the refused Lease was not stored" "404" "$CODE"
send POST "$LEASES" "$(lease_json node-3 node-3 2026-12-05T08:00:00.000000Z | \
	jq -c '.spec.leaseDurationSeconds = 0')"
t_eq "a Lease whose leaseDurationSeconds is 0: 422 on that field" \
	"422 Invalid spec.leaseDurationSeconds" \
	"$CODE $(j .reason) $(j '[.details.causes[].field] | join(",")')"
req GET /apis
t_eq "legacy discovery: coordination.k8s.io/v1 among the groups" "coordination.k8s.io/v1" \
	"$(j '.groups[] | select(.name == "coordination.k8s.io") | .preferredVersion.groupVersion')"
req GET /apis/coordination.k8s.io/v1
t_eq "legacy discovery: the group's resources are leases, namespaced" "Lease true" \
	"$(j '.resources[] | select(.name == "leases") | "\(.kind) \(.namespaced)"')"
for ver in v2 v2beta1; do
	CODE=$(curl -s -o "$T_TMP/body" -w '%{http_code}' \
		-H "Accept: application/json;g=apidiscovery.k8s.io;v=$ver;as=APIGroupDiscoveryList" \
		"$B/apis")
	BODY=$(cat "$T_TMP/body")
	t_eq "aggregated discovery $ver: coordination.k8s.io v1 serves leases (Lease, Namespaced)" \
		"200 Lease Namespaced" \
		"$CODE $(j '.items[] | select(.metadata.name == "coordination.k8s.io") | .versions[0] |
			select(.version == "v1") | .resources[] | select(.resource == "leases") |
			"\(.responseKind.kind) \(.scope)"')"
done

# ---- restart ------------------------------------------------------------
req GET "$SVC/alpha"
uid=$(j .metadata.uid); rv_a=$(j .metadata.resourceVersion)
req GET "$SVC"
rv_list=$(j .metadata.resourceVersion)
kill -9 "$PID"; wait "$PID" 2>/dev/null; PID=
api_start
req GET "$SVC/alpha"
t_eq "after kill -9: the Service is back with the same uid and resourceVersion" "200 $uid $rv_a" \
	"$CODE $(j .metadata.uid) $(j .metadata.resourceVersion)"
req GET "$SVC"
t_eq "after kill -9: every Service is back" "alpha,beta,lblocal" \
	"$(j '[.items[].metadata.name] | join(",")')"
t_eq "after kill -9: the list's resourceVersion has not gone back" "$rv_list" \
	"$(j .metadata.resourceVersion)"
# The allocator is rebuilt from the stored Services: a new one gets
# neither an address nor a port they hold.
held=$(j '[.items[] | .spec.clusterIP, (.spec.ports[].nodePort // empty),
	(.spec.healthCheckNodePort // empty)] | map(tostring) | join(" ")')
send POST "$SVC" "$(svc_json after-restart "" LoadBalancer ',"externalTrafficPolicy":"Local"')"
t_eq "after kill -9: a new Service: 201" "201" "$CODE"
new=$(j '[.spec.clusterIP, .spec.ports[0].nodePort, .spec.healthCheckNodePort] |
	map(tostring) | join(" ")')
t_match "after kill -9: it got an address and two ports ($new)" \
	'^10\.0\.[0-9.]+ 3[0-9]{4} 3[0-9]{4}$' "$new"
for v in $new; do
	t_ok "after kill -9: $v was not held by another Service" \
		eval '! grep -qw -- "$v" <<<"$held"'
done
req DELETE "$SVC/after-restart"

# History is in memory: an old version cannot be resumed after a restart.
curl -s -N "$B$SVC?watch=true&resourceVersion=$rv0" >"$T_TMP/watch3" 2>/dev/null &
wpid=$!
t_defer "kill $wpid"
expired() { grep -q '"type":"ERROR"' "$T_TMP/watch3"; }
t_ok "watch from a version before the restart: an ERROR event" t_wait 10 expired
t_eq "the ERROR event: 410 Expired" "410 Expired" \
	"$(jq -r 'select(.type == "ERROR") | "\(.object.code) \(.object.reason)"' "$T_TMP/watch3")"
kill "$wpid" 2>/dev/null; wait "$wpid" 2>/dev/null

send POST "$SVC" "$(svc_json newest)"
t_eq "create the newest Service" "201" "$CODE"
rv_n=$(j .metadata.resourceVersion)
t_ok "its resourceVersion is above any before the restart ($rv_n > $rv_list)" \
	test "$rv_n" -gt "$rv_list"
req DELETE "$SVC/newest"
t_eq "delete the newest object" "200" "$CODE"
req GET "$SVC"
rv_del=$(j .metadata.resourceVersion)
t_ok "the deletion took a version of its own" test "$rv_del" -gt "$rv_n"
kill -9 "$PID"; wait "$PID" 2>/dev/null; PID=
api_start
send POST "$CM" '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"after"}}'
t_eq "after a second kill -9: create works" "201" "$CODE"
t_ok "the counter did not go back after deleting the newest ($(j .metadata.resourceVersion) > $rv_del)" \
	test "$(j .metadata.resourceVersion)" -gt "$rv_del"
req GET "$SVC/newest"
t_eq "the deleted Service stayed deleted" "404" "$CODE"

# ---- a clean stop -------------------------------------------------------
# Reaped or a zombie: the process has exited (kill -0 still sees a zombie).
exited() { [ ! -e "/proc/$PID" ] || grep -q '^[0-9]* (.*) Z' "/proc/$PID/stat"; }
kill -TERM "$PID"
if t_wait 20 exited; then t_pass "SIGTERM: the server stops"
else t_fail "SIGTERM: the server stops" "still running after 20 s"; kill -9 "$PID"; fi
wait "$PID"
rc=$?
PID=
t_eq "SIGTERM: the server exits 0 (no leaks under ASan)" "0" "$rc"
t_eq "no sanitizer reports in the server's log" "" \
	"$(grep -E 'AddressSanitizer|LeakSanitizer|runtime error' "$LOG" | head -n 5)"

t_done
