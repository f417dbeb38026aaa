/* api_openapi_types.c — the object types of every served kind as one
 * table (api_openapi_int.h), and the lookups into it. The OpenAPI
 * documents are built from it (api_openapi.c) and the strict field
 * validation walks objects against it (api_openapi_validate.c), so what
 * explain shows and what the server accepts cannot drift apart.
 *
 * The field lists follow k8s.io/api 1.33. Volume plugins that are
 * deprecated or need a cloud, ephemeral containers and a few status
 * details are declared as free-form objects ('*'): their names are known
 * (a manifest using them is not rejected) but not their content.
 *
 * The file is long because the table is: 171 types, each with its line
 * of fields, and the descriptions of 74 fields people look up most. It
 * is data with its few readers beside it: one job.
 */
#include <stdio.h>
#include <string.h>

#include "api_openapi_int.h"

/* Descriptions of the fields people look up most with kubectl explain. */
struct api_openapi_field_doc {
	const char *type;
	const char *field;
	const char *desc;
};

static const struct api_openapi_type api_openapi_types[] = {
	{ "core.v1.Pod",
	  "A group of containers that share network and storage and run together on one node.",
	  "apiVersion:s kind:s metadata:ObjectMeta spec:PodSpec status:PodStatus" },
	{ "core.v1.Service",
	  "A stable virtual address and DNS name in front of the pods its selector matches.",
	  "apiVersion:s kind:s metadata:ObjectMeta spec:ServiceSpec status:ServiceStatus" },
	{ "core.v1.Namespace",
	  "A scope for names; most objects live in exactly one namespace.",
	  "apiVersion:s kind:s metadata:ObjectMeta spec:NamespaceSpec status:NamespaceStatus" },
	{ "core.v1.Node",
	  "A machine that runs pods.",
	  "apiVersion:s kind:s metadata:ObjectMeta spec:NodeSpec status:NodeStatus" },
	{ "core.v1.Endpoints",
	  "The addresses and ports behind a Service, in the original one-object-per-Service "
	  "form.",
	  "apiVersion:s kind:s metadata:ObjectMeta subsets:[EndpointSubset" },
	{ "core.v1.Event",
	  "A report of something that happened to an object.",
	  "apiVersion:s kind:s metadata:ObjectMeta! involvedObject:ObjectReference! reason:s "
	  "message:s source:EventSource firstTimestamp:t lastTimestamp:t count:i type:s "
	  "eventTime:t series:EventSeries action:s related:ObjectReference "
	  "reportingComponent:s reportingInstance:s" },
	{ "core.v1.ConfigMap",
	  "Configuration data as string or binary values, for pods to read.",
	  "apiVersion:s kind:s metadata:ObjectMeta immutable:b data:{s binaryData:{B" },
	{ "core.v1.Secret",
	  "Sensitive data (tokens, keys, passwords) for pods to read.",
	  "apiVersion:s kind:s metadata:ObjectMeta immutable:b data:{B stringData:{s type:s" },
	{ "core.v1.ServiceAccount",
	  "An identity that processes in pods run as.",
	  "apiVersion:s kind:s metadata:ObjectMeta secrets:[ObjectReference@name "
	  "imagePullSecrets:[LocalObjectReference automountServiceAccountToken:b" },
	{ "apps.v1.Deployment",
	  "Declarative updates for a set of identical pods through ReplicaSets.",
	  "apiVersion:s kind:s metadata:ObjectMeta spec:DeploymentSpec status:DeploymentStatus" },
	{ "apps.v1.DaemonSet",
	  "Runs one copy of a pod on every node.",
	  "apiVersion:s kind:s metadata:ObjectMeta spec:DaemonSetSpec status:DaemonSetStatus" },
	{ "apps.v1.ReplicaSet",
	  "Keeps a given number of pods matching a selector running.",
	  "apiVersion:s kind:s metadata:ObjectMeta spec:ReplicaSetSpec status:ReplicaSetStatus" },
	{ "discovery.v1.EndpointSlice",
	  "A subset of the endpoints behind a Service.",
	  "apiVersion:s kind:s metadata:ObjectMeta addressType:s! endpoints:[Endpoint! "
	  "ports:[EndpointPort" },
	{ "coordination.v1.Lease",
	  "A lease on a name: who holds it, since when, when it was last renewed and "
	  "for how long a renewal lasts. Nodes renew theirs in kube-node-lease, named "
	  "after the node, to show they are alive.",
	  "apiVersion:s kind:s metadata:ObjectMeta spec:LeaseSpec" },
	{ "coordination.v1.LeaseSpec",
	  "The holder of a lease and its times.",
	  "holderIdentity:s leaseDurationSeconds:i acquireTime:T renewTime:T "
	  "leaseTransitions:i strategy:s preferredHolder:s" },
	{ "networking.v1.Ingress",
	  "Rules that route HTTP requests by host and path to Services, for an ingress "
	  "controller to carry out.",
	  "apiVersion:s kind:s metadata:ObjectMeta spec:IngressSpec status:IngressStatus" },
	{ "core.v1.TypedLocalObjectReference",
	  "An object of the same namespace by API group, kind and name.",
	  "apiGroup:s kind:s! name:s!" },
	{ "networking.v1.IngressSpec",
	  "How an ingress controller routes requests.",
	  "ingressClassName:s defaultBackend:IngressBackend tls:[IngressTLS rules:[IngressRule" },
	{ "networking.v1.IngressBackend",
	  "Where matching requests go: a Service port or a resource.",
	  "service:IngressServiceBackend resource:TypedLocalObjectReference" },
	{ "networking.v1.IngressServiceBackend",
	  "A Service and one of its ports.",
	  "name:s! port:ServiceBackendPort" },
	{ "networking.v1.ServiceBackendPort",
	  "A Service port by name or number.",
	  "name:s number:i" },
	{ "networking.v1.IngressTLS",
	  "Hosts served over TLS and the Secret with their certificate.",
	  "hosts:[s secretName:s" },
	{ "networking.v1.IngressRule",
	  "The paths of one host (all hosts when host is empty).",
	  "host:s http:HTTPIngressRuleValue" },
	{ "networking.v1.HTTPIngressRuleValue",
	  "The paths of a rule.",
	  "paths:[HTTPIngressPath!" },
	{ "networking.v1.HTTPIngressPath",
	  "A path and the backend its requests go to.",
	  "path:s pathType:s! backend:IngressBackend!" },
	{ "networking.v1.IngressStatus",
	  "The addresses the ingress controller serves the Ingress at.",
	  "loadBalancer:IngressLoadBalancerStatus" },
	{ "networking.v1.IngressLoadBalancerStatus",
	  "The ingress points of the load balancer or proxy.",
	  "ingress:[IngressLoadBalancerIngress" },
	{ "networking.v1.IngressLoadBalancerIngress",
	  "One ingress point: an IP address or a host name.",
	  "ip:s hostname:s ports:[IngressPortStatus" },
	{ "networking.v1.IngressPortStatus",
	  "A port of an ingress point and its state.",
	  "port:i! protocol:s! error:s" },
	{ "autoscaling.v1.Scale",
	  "The replica count of a scalable resource.",
	  "apiVersion:s kind:s metadata:ObjectMeta spec:ScaleSpec status:ScaleStatus" },
	{ "meta.v1.ObjectMeta",
	  "Metadata every persisted object has: name, namespace, labels, annotations, owners.",
	  "name:s generateName:s namespace:s selfLink:s uid:s resourceVersion:s generation:I "
	  "creationTimestamp:t deletionTimestamp:t deletionGracePeriodSeconds:I labels:{s "
	  "annotations:{s ownerReferences:[OwnerReference@uid finalizers:[s+ "
	  "managedFields:[ManagedFieldsEntry" },
	{ "core.v1.PodSpec",
	  "The desired content of a pod.",
	  "volumes:[Volume@name initContainers:[Container@name containers:[Container@name! "
	  "ephemeralContainers:[*@name restartPolicy:s terminationGracePeriodSeconds:I "
	  "activeDeadlineSeconds:I dnsPolicy:s nodeSelector:{s serviceAccountName:s "
	  "serviceAccount:s automountServiceAccountToken:b nodeName:s hostNetwork:b hostPID:b "
	  "hostIPC:b shareProcessNamespace:b securityContext:PodSecurityContext "
	  "imagePullSecrets:[LocalObjectReference@name hostname:s subdomain:s "
	  "affinity:Affinity schedulerName:s tolerations:[Toleration hostAliases:[HostAlias@ip "
	  "priorityClassName:s priority:i dnsConfig:PodDNSConfig "
	  "readinessGates:[PodReadinessGate runtimeClassName:s enableServiceLinks:b "
	  "preemptionPolicy:s overhead:{q "
	  "topologySpreadConstraints:[TopologySpreadConstraint@topologyKey setHostnameAsFQDN:b "
	  "os:PodOS hostUsers:b schedulingGates:[PodSchedulingGate@name "
	  "resourceClaims:[PodResourceClaim@name resources:ResourceRequirements" },
	{ "core.v1.PodStatus",
	  "What was last observed about a pod; may lag behind reality.",
	  "observedGeneration:I phase:s conditions:[PodCondition@type message:s reason:s "
	  "nominatedNodeName:s hostIP:s hostIPs:[HostIP@ip podIP:s podIPs:[PodIP@ip "
	  "startTime:t initContainerStatuses:[ContainerStatus "
	  "containerStatuses:[ContainerStatus qosClass:s "
	  "ephemeralContainerStatuses:[ContainerStatus resize:s resourceClaimStatuses:[*@name" },
	{ "core.v1.ServiceSpec",
	  "The desired behaviour of a Service.",
	  "ports:[ServicePort@port selector:{s clusterIP:s clusterIPs:[s type:s externalIPs:[s "
	  "sessionAffinity:s loadBalancerIP:s loadBalancerSourceRanges:[s externalName:s "
	  "externalTrafficPolicy:s healthCheckNodePort:i publishNotReadyAddresses:b "
	  "sessionAffinityConfig:SessionAffinityConfig ipFamilies:[s ipFamilyPolicy:s "
	  "allocateLoadBalancerNodePorts:b loadBalancerClass:s internalTrafficPolicy:s "
	  "trafficDistribution:s" },
	{ "core.v1.ServiceStatus",
	  "What was last observed about a Service.",
	  "loadBalancer:LoadBalancerStatus conditions:[Condition@type" },
	{ "core.v1.NamespaceSpec",
	  "The desired state of a namespace.",
	  "finalizers:[s" },
	{ "core.v1.NamespaceStatus",
	  "What was last observed about a namespace.",
	  "phase:s conditions:[NamespaceCondition@type" },
	{ "core.v1.NodeSpec",
	  "The desired configuration of a node.",
	  "podCIDR:s podCIDRs:[s+ providerID:s unschedulable:b taints:[Taint configSource:* "
	  "externalID:s" },
	{ "core.v1.NodeStatus",
	  "What was last observed about a node.",
	  "capacity:{q allocatable:{q phase:s conditions:[NodeCondition@type "
	  "addresses:[NodeAddress@type daemonEndpoints:NodeDaemonEndpoints "
	  "nodeInfo:NodeSystemInfo images:[ContainerImage volumesInUse:[s "
	  "volumesAttached:[AttachedVolume config:* runtimeHandlers:[* features:*" },
	{ "core.v1.EndpointSubset",
	  "A group of addresses that share the same ports.",
	  "addresses:[EndpointAddress notReadyAddresses:[EndpointAddress ports:[EndpointPort" },
	{ "core.v1.ObjectReference",
	  "A reference to any object.",
	  "kind:s namespace:s name:s uid:s apiVersion:s resourceVersion:s fieldPath:s" },
	{ "core.v1.EventSource",
	  "The component that reported an event.",
	  "component:s host:s" },
	{ "core.v1.EventSeries",
	  "A series of repeated events.",
	  "count:i lastObservedTime:t" },
	{ "core.v1.LocalObjectReference",
	  "A reference to an object in the same namespace, by name.",
	  "name:s" },
	{ "apps.v1.DeploymentSpec",
	  "The desired state of a Deployment.",
	  "replicas:i selector:LabelSelector! template:PodTemplateSpec! "
	  "strategy:DeploymentStrategy minReadySeconds:i revisionHistoryLimit:i paused:b "
	  "progressDeadlineSeconds:i" },
	{ "apps.v1.DeploymentStatus",
	  "What was last observed about a Deployment.",
	  "observedGeneration:I replicas:i updatedReplicas:i readyReplicas:i "
	  "availableReplicas:i unavailableReplicas:i terminatingReplicas:i "
	  "conditions:[DeploymentCondition@type collisionCount:i" },
	{ "apps.v1.DaemonSetSpec",
	  "The desired state of a DaemonSet.",
	  "selector:LabelSelector! template:PodTemplateSpec! "
	  "updateStrategy:DaemonSetUpdateStrategy minReadySeconds:i revisionHistoryLimit:i" },
	{ "apps.v1.DaemonSetStatus",
	  "What was last observed about a DaemonSet, counted in nodes.",
	  "currentNumberScheduled:i! numberMisscheduled:i! desiredNumberScheduled:i! "
	  "numberReady:i! observedGeneration:I updatedNumberScheduled:i numberAvailable:i "
	  "numberUnavailable:i collisionCount:i conditions:[DaemonSetCondition@type" },
	{ "apps.v1.ReplicaSetSpec",
	  "The desired state of a ReplicaSet.",
	  "replicas:i minReadySeconds:i selector:LabelSelector! template:PodTemplateSpec" },
	{ "apps.v1.ReplicaSetStatus",
	  "What was last observed about a ReplicaSet.",
	  "replicas:i! fullyLabeledReplicas:i readyReplicas:i availableReplicas:i "
	  "terminatingReplicas:i observedGeneration:I conditions:[ReplicaSetCondition@type" },
	{ "discovery.v1.Endpoint",
	  "One backend of an EndpointSlice.",
	  "addresses:[s! conditions:EndpointConditions hostname:s targetRef:ObjectReference "
	  "deprecatedTopology:{s nodeName:s zone:s hints:EndpointHints" },
	{ "discovery.v1.EndpointPort",
	  "One port of an EndpointSlice.",
	  "name:s protocol:s port:i appProtocol:s" },
	{ "autoscaling.v1.ScaleSpec",
	  "The desired replica count.",
	  "replicas:i" },
	{ "autoscaling.v1.ScaleStatus",
	  "The observed replica count and the label selector of the pods.",
	  "replicas:i! selector:s" },
	{ "meta.v1.OwnerReference",
	  "Identifies an object that owns this one; the garbage collector deletes dependents "
	  "of deleted owners.",
	  "apiVersion:s! kind:s! name:s! uid:s! controller:b blockOwnerDeletion:b" },
	{ "meta.v1.ManagedFieldsEntry",
	  "Which manager owns which fields, as recorded by server-side apply.",
	  "manager:s operation:s apiVersion:s time:t fieldsType:s fieldsV1:* subresource:s" },
	{ "core.v1.Volume",
	  "A named volume that containers of the pod can mount.",
	  "name:s! hostPath:HostPathVolumeSource emptyDir:EmptyDirVolumeSource "
	  "gcePersistentDisk:* awsElasticBlockStore:* gitRepo:* secret:SecretVolumeSource "
	  "nfs:NFSVolumeSource iscsi:* glusterfs:* "
	  "persistentVolumeClaim:PersistentVolumeClaimVolumeSource rbd:* flexVolume:* cinder:* "
	  "cephfs:* flocker:* downwardAPI:DownwardAPIVolumeSource fc:* azureFile:* "
	  "configMap:ConfigMapVolumeSource vsphereVolume:* quobyte:* azureDisk:* "
	  "photonPersistentDisk:* projected:ProjectedVolumeSource portworxVolume:* scaleIO:* "
	  "storageos:* csi:CSIVolumeSource ephemeral:* image:ImageVolumeSource" },
	{ "core.v1.Container",
	  "One container of a pod: image, command, environment, ports, probes and resources.",
	  "name:s! image:s command:[s args:[s workingDir:s ports:[ContainerPort@containerPort "
	  "envFrom:[EnvFromSource env:[EnvVar@name resources:ResourceRequirements "
	  "resizePolicy:[ContainerResizePolicy restartPolicy:s "
	  "volumeMounts:[VolumeMount@mountPath volumeDevices:[VolumeDevice@devicePath "
	  "livenessProbe:Probe readinessProbe:Probe startupProbe:Probe lifecycle:Lifecycle "
	  "terminationMessagePath:s terminationMessagePolicy:s imagePullPolicy:s "
	  "securityContext:SecurityContext stdin:b stdinOnce:b tty:b" },
	{ "core.v1.PodSecurityContext",
	  "Security settings shared by all containers of a pod.",
	  "seLinuxOptions:SELinuxOptions windowsOptions:WindowsSecurityContextOptions "
	  "runAsUser:I runAsGroup:I runAsNonRoot:b supplementalGroups:[I "
	  "supplementalGroupsPolicy:s fsGroup:I sysctls:[Sysctl fsGroupChangePolicy:s "
	  "seccompProfile:SeccompProfile appArmorProfile:AppArmorProfile seLinuxChangePolicy:s" },
	{ "core.v1.Affinity",
	  "Scheduling constraints relative to nodes and to other pods.",
	  "nodeAffinity:NodeAffinity podAffinity:PodAffinity podAntiAffinity:PodAntiAffinity" },
	{ "core.v1.Toleration",
	  "Lets the pod be scheduled onto nodes with a matching taint.",
	  "key:s operator:s value:s effect:s tolerationSeconds:I" },
	{ "core.v1.HostAlias",
	  "An entry added to the pod's /etc/hosts.",
	  "ip:s! hostnames:[s" },
	{ "core.v1.PodDNSConfig",
	  "DNS settings merged into those generated by dnsPolicy.",
	  "nameservers:[s searches:[s options:[PodDNSConfigOption" },
	{ "core.v1.PodReadinessGate",
	  "An extra pod condition that must be true for the pod to be ready.",
	  "conditionType:s!" },
	{ "core.v1.TopologySpreadConstraint",
	  "How evenly matching pods must spread across a topology domain.",
	  "maxSkew:i! topologyKey:s! whenUnsatisfiable:s! labelSelector:LabelSelector "
	  "minDomains:i nodeAffinityPolicy:s nodeTaintsPolicy:s matchLabelKeys:[s" },
	{ "core.v1.PodOS",
	  "The operating system the pod's containers need.",
	  "name:s!" },
	{ "core.v1.PodSchedulingGate",
	  "A gate that holds the pod back from scheduling while present.",
	  "name:s!" },
	{ "core.v1.PodResourceClaim",
	  "A dynamic resource claim the pod uses.",
	  "name:s! resourceClaimName:s resourceClaimTemplateName:s" },
	{ "core.v1.ResourceRequirements",
	  "Compute resources (cpu, memory, ...) a container requests and may not exceed.",
	  "limits:{q requests:{q claims:[ResourceClaim" },
	{ "core.v1.PodCondition",
	  "One condition of a pod (PodScheduled, Initialized, ContainersReady, Ready).",
	  "type:s! observedGeneration:I status:s! lastProbeTime:t lastTransitionTime:t "
	  "reason:s message:s" },
	{ "core.v1.HostIP",
	  "An address of the pod's node.",
	  "ip:s!" },
	{ "core.v1.PodIP",
	  "An address assigned to the pod.",
	  "ip:s!" },
	{ "core.v1.ContainerStatus",
	  "What was last observed about a container.",
	  "name:s! state:ContainerState lastState:ContainerState ready:b! restartCount:i! "
	  "image:s! imageID:s! containerID:s started:b allocatedResources:{q "
	  "resources:ResourceRequirements volumeMounts:[*@mountPath user:* "
	  "allocatedResourcesStatus:[*@name stopSignal:s" },
	{ "core.v1.ServicePort",
	  "One port a Service exposes and where traffic to it goes.",
	  "name:s protocol:s appProtocol:s port:i! targetPort:o nodePort:i" },
	{ "core.v1.SessionAffinityConfig",
	  "Session affinity settings.",
	  "clientIP:ClientIPConfig" },
	{ "core.v1.LoadBalancerStatus",
	  "The state of a Service's load balancer.",
	  "ingress:[LoadBalancerIngress" },
	{ "meta.v1.Condition",
	  "One aspect of an object's current state.",
	  "type:s! status:s! observedGeneration:I lastTransitionTime:t! reason:s! message:s!" },
	{ "core.v1.NamespaceCondition",
	  "One condition of a namespace.",
	  "type:s! status:s! lastTransitionTime:t reason:s message:s" },
	{ "core.v1.Taint",
	  "Repels pods that do not tolerate it from a node.",
	  "key:s! value:s effect:s! timeAdded:t" },
	{ "core.v1.NodeCondition",
	  "One condition of a node (Ready, MemoryPressure, ...).",
	  "type:s! status:s! lastHeartbeatTime:t lastTransitionTime:t reason:s message:s" },
	{ "core.v1.NodeAddress",
	  "An address of a node.",
	  "type:s! address:s!" },
	{ "core.v1.NodeDaemonEndpoints",
	  "Ports of the daemons running on a node.",
	  "kubeletEndpoint:DaemonEndpoint" },
	{ "core.v1.NodeSystemInfo",
	  "Identification of a node: kernel, OS image, container runtime and kubelet versions.",
	  "machineID:s! systemUUID:s! bootID:s! kernelVersion:s! osImage:s! "
	  "containerRuntimeVersion:s! kubeletVersion:s! kubeProxyVersion:s! operatingSystem:s! "
	  "architecture:s! swap:NodeSwapStatus" },
	{ "core.v1.ContainerImage",
	  "An image present on a node.",
	  "names:[s sizeBytes:I" },
	{ "core.v1.AttachedVolume",
	  "A volume attached to a node.",
	  "name:s! devicePath:s!" },
	{ "core.v1.EndpointAddress",
	  "One address behind a Service.",
	  "ip:s! hostname:s nodeName:s targetRef:ObjectReference" },
	{ "core.v1.EndpointPort",
	  "One port of the addresses behind a Service.",
	  "name:s port:i! protocol:s appProtocol:s" },
	{ "meta.v1.LabelSelector",
	  "Selects objects by labels; matchLabels and matchExpressions are ANDed.",
	  "matchLabels:{s matchExpressions:[LabelSelectorRequirement" },
	{ "core.v1.PodTemplateSpec",
	  "The pods a controller creates: their metadata and spec.",
	  "metadata:ObjectMeta spec:PodSpec" },
	{ "apps.v1.DeploymentStrategy",
	  "How a Deployment replaces old pods with new ones.",
	  "type:s rollingUpdate:RollingUpdateDeployment" },
	{ "apps.v1.DeploymentCondition",
	  "One condition of a Deployment (Available, Progressing, ReplicaFailure).",
	  "type:s! status:s! lastUpdateTime:t lastTransitionTime:t reason:s message:s" },
	{ "apps.v1.DaemonSetUpdateStrategy",
	  "How a DaemonSet replaces old pods with new ones.",
	  "type:s rollingUpdate:RollingUpdateDaemonSet" },
	{ "apps.v1.DaemonSetCondition",
	  "One condition of a DaemonSet.",
	  "type:s! status:s! lastTransitionTime:t reason:s message:s" },
	{ "apps.v1.ReplicaSetCondition",
	  "One condition of a ReplicaSet.",
	  "type:s! status:s! lastTransitionTime:t reason:s message:s" },
	{ "discovery.v1.EndpointConditions",
	  "Whether an endpoint is ready, serving or terminating.",
	  "ready:b serving:b terminating:b" },
	{ "discovery.v1.EndpointHints",
	  "Topology hints for routing to an endpoint.",
	  "forZones:[ForZone forNodes:[ForNode" },
	{ "core.v1.HostPathVolumeSource",
	  "A file or directory of the node's filesystem.",
	  "path:s! type:s" },
	{ "core.v1.EmptyDirVolumeSource",
	  "An empty directory that lives as long as the pod.",
	  "medium:s sizeLimit:q" },
	{ "core.v1.SecretVolumeSource",
	  "The keys of a Secret as files.",
	  "secretName:s items:[KeyToPath defaultMode:i optional:b" },
	{ "core.v1.NFSVolumeSource",
	  "An NFS export.",
	  "server:s! path:s! readOnly:b" },
	{ "core.v1.PersistentVolumeClaimVolumeSource",
	  "A PersistentVolumeClaim in the pod's namespace.",
	  "claimName:s! readOnly:b" },
	{ "core.v1.DownwardAPIVolumeSource",
	  "Pod fields as files.",
	  "items:[DownwardAPIVolumeFile defaultMode:i" },
	{ "core.v1.ConfigMapVolumeSource",
	  "The keys of a ConfigMap as files.",
	  "name:s items:[KeyToPath defaultMode:i optional:b" },
	{ "core.v1.ProjectedVolumeSource",
	  "Several sources (secrets, config maps, downward API, tokens) projected into one "
	  "directory.",
	  "sources:[VolumeProjection defaultMode:i" },
	{ "core.v1.CSIVolumeSource",
	  "An ephemeral volume provided by a CSI driver.",
	  "driver:s! readOnly:b fsType:s volumeAttributes:{s "
	  "nodePublishSecretRef:LocalObjectReference" },
	{ "core.v1.ImageVolumeSource",
	  "The content of an OCI image or artifact as a volume.",
	  "reference:s pullPolicy:s" },
	{ "core.v1.ContainerPort",
	  "A network port a container exposes.",
	  "name:s hostPort:i containerPort:i! protocol:s hostIP:s" },
	{ "core.v1.EnvFromSource",
	  "Environment variables taken from every key of a ConfigMap or Secret.",
	  "prefix:s configMapRef:ConfigMapEnvSource secretRef:SecretEnvSource" },
	{ "core.v1.EnvVar",
	  "One environment variable, with a literal value or a value taken from elsewhere.",
	  "name:s! value:s valueFrom:EnvVarSource" },
	{ "core.v1.ContainerResizePolicy",
	  "Whether a resource can be resized without restarting the container.",
	  "resourceName:s! restartPolicy:s!" },
	{ "core.v1.VolumeMount",
	  "Where a volume appears inside a container's filesystem.",
	  "name:s! readOnly:b recursiveReadOnly:s mountPath:s! subPath:s mountPropagation:s "
	  "subPathExpr:s" },
	{ "core.v1.VolumeDevice",
	  "Where a raw block volume appears inside a container.",
	  "name:s! devicePath:s!" },
	{ "core.v1.Probe",
	  "A health check the kubelet runs against a container.",
	  "exec:ExecAction httpGet:HTTPGetAction tcpSocket:TCPSocketAction grpc:GRPCAction "
	  "initialDelaySeconds:i timeoutSeconds:i periodSeconds:i successThreshold:i "
	  "failureThreshold:i terminationGracePeriodSeconds:I" },
	{ "core.v1.Lifecycle",
	  "Actions the kubelet takes when a container starts or is about to stop.",
	  "postStart:LifecycleHandler preStop:LifecycleHandler stopSignal:s" },
	{ "core.v1.SecurityContext",
	  "Security settings of one container; they override the pod's.",
	  "capabilities:Capabilities privileged:b seLinuxOptions:SELinuxOptions "
	  "windowsOptions:WindowsSecurityContextOptions runAsUser:I runAsGroup:I "
	  "runAsNonRoot:b readOnlyRootFilesystem:b allowPrivilegeEscalation:b procMount:s "
	  "seccompProfile:SeccompProfile appArmorProfile:AppArmorProfile" },
	{ "core.v1.SELinuxOptions",
	  "The SELinux labels applied to a container.",
	  "user:s role:s type:s level:s" },
	{ "core.v1.WindowsSecurityContextOptions",
	  "Windows-specific security settings.",
	  "gmsaCredentialSpecName:s gmsaCredentialSpec:s runAsUserName:s hostProcess:b" },
	{ "core.v1.Sysctl",
	  "A namespaced kernel parameter set for the pod.",
	  "name:s! value:s!" },
	{ "core.v1.SeccompProfile",
	  "The seccomp profile applied to a container.",
	  "type:s! localhostProfile:s" },
	{ "core.v1.AppArmorProfile",
	  "The AppArmor profile applied to a container.",
	  "type:s! localhostProfile:s" },
	{ "core.v1.NodeAffinity",
	  "Which nodes the pod may or prefers to run on.",
	  "requiredDuringSchedulingIgnoredDuringExecution:NodeSelector "
	  "preferredDuringSchedulingIgnoredDuringExecution:[PreferredSchedulingTerm" },
	{ "core.v1.PodAffinity",
	  "Pods this pod should run near.",
	  "requiredDuringSchedulingIgnoredDuringExecution:[PodAffinityTerm "
	  "preferredDuringSchedulingIgnoredDuringExecution:[WeightedPodAffinityTerm" },
	{ "core.v1.PodAntiAffinity",
	  "Pods this pod should not run near.",
	  "requiredDuringSchedulingIgnoredDuringExecution:[PodAffinityTerm "
	  "preferredDuringSchedulingIgnoredDuringExecution:[WeightedPodAffinityTerm" },
	{ "core.v1.PodDNSConfigOption",
	  "One resolver option.",
	  "name:s value:s" },
	{ "core.v1.ResourceClaim",
	  "A reference to one entry of the pod's resourceClaims.",
	  "name:s! request:s" },
	{ "core.v1.ContainerState",
	  "The state of a container: waiting, running or terminated.",
	  "waiting:ContainerStateWaiting running:ContainerStateRunning "
	  "terminated:ContainerStateTerminated" },
	{ "core.v1.ClientIPConfig",
	  "Settings of ClientIP session affinity.",
	  "timeoutSeconds:i" },
	{ "core.v1.LoadBalancerIngress",
	  "An address of a Service's load balancer.",
	  "ip:s hostname:s ipMode:s ports:[PortStatus" },
	{ "core.v1.DaemonEndpoint",
	  "A daemon's port.",
	  "Port:i!" },
	{ "core.v1.NodeSwapStatus",
	  "Swap memory of a node.",
	  "capacity:I" },
	{ "meta.v1.LabelSelectorRequirement",
	  "One label condition: key, operator (In, NotIn, Exists, DoesNotExist) and values.",
	  "key:s! operator:s! values:[s" },
	{ "apps.v1.RollingUpdateDeployment",
	  "Limits of a rolling update.",
	  "maxUnavailable:o maxSurge:o" },
	{ "apps.v1.RollingUpdateDaemonSet",
	  "Limits of a DaemonSet's rolling update, in nodes.",
	  "maxUnavailable:o maxSurge:o" },
	{ "discovery.v1.ForZone",
	  "A zone that should use an endpoint.",
	  "name:s!" },
	{ "discovery.v1.ForNode",
	  "A node that should use an endpoint.",
	  "name:s!" },
	{ "core.v1.KeyToPath",
	  "Maps one key to a file path inside the volume.",
	  "key:s! path:s! mode:i" },
	{ "core.v1.DownwardAPIVolumeFile",
	  "One file holding a pod field.",
	  "path:s! fieldRef:ObjectFieldSelector resourceFieldRef:ResourceFieldSelector mode:i" },
	{ "core.v1.VolumeProjection",
	  "One source of a projected volume.",
	  "secret:SecretProjection downwardAPI:DownwardAPIProjection "
	  "configMap:ConfigMapProjection serviceAccountToken:ServiceAccountTokenProjection "
	  "clusterTrustBundle:*" },
	{ "core.v1.ConfigMapEnvSource",
	  "A ConfigMap whose keys become environment variables.",
	  "name:s optional:b" },
	{ "core.v1.SecretEnvSource",
	  "A Secret whose keys become environment variables.",
	  "name:s optional:b" },
	{ "core.v1.EnvVarSource",
	  "Where an environment variable's value comes from.",
	  "fieldRef:ObjectFieldSelector resourceFieldRef:ResourceFieldSelector "
	  "configMapKeyRef:ConfigMapKeySelector secretKeyRef:SecretKeySelector" },
	{ "core.v1.ExecAction",
	  "Runs a command inside the container; exit status 0 means success.",
	  "command:[s" },
	{ "core.v1.HTTPGetAction",
	  "An HTTP GET against the container; a 2xx or 3xx status means success.",
	  "path:s port:o! host:s scheme:s httpHeaders:[HTTPHeader" },
	{ "core.v1.TCPSocketAction",
	  "Opens a TCP connection to the container; a connection means success.",
	  "port:o! host:s" },
	{ "core.v1.GRPCAction",
	  "Calls the gRPC health checking service of the container.",
	  "port:i! service:s" },
	{ "core.v1.LifecycleHandler",
	  "One lifecycle action: exec, httpGet, tcpSocket or sleep.",
	  "exec:ExecAction httpGet:HTTPGetAction tcpSocket:TCPSocketAction sleep:SleepAction" },
	{ "core.v1.Capabilities",
	  "Linux capabilities to add to or drop from a container.",
	  "add:[s drop:[s" },
	{ "core.v1.NodeSelector",
	  "Node selector terms; a node matches if any term matches.",
	  "nodeSelectorTerms:[NodeSelectorTerm!" },
	{ "core.v1.PreferredSchedulingTerm",
	  "A weighted node preference.",
	  "weight:i! preference:NodeSelectorTerm!" },
	{ "core.v1.PodAffinityTerm",
	  "Pods, selected by labels and namespaces, and the topology domain to be near or away "
	  "from them.",
	  "labelSelector:LabelSelector namespaces:[s topologyKey:s! "
	  "namespaceSelector:LabelSelector matchLabelKeys:[s mismatchLabelKeys:[s" },
	{ "core.v1.WeightedPodAffinityTerm",
	  "A weighted pod affinity preference.",
	  "weight:i! podAffinityTerm:PodAffinityTerm!" },
	{ "core.v1.ContainerStateWaiting",
	  "A container that is not running yet.",
	  "reason:s message:s" },
	{ "core.v1.ContainerStateRunning",
	  "A running container.",
	  "startedAt:t" },
	{ "core.v1.ContainerStateTerminated",
	  "A container that has exited.",
	  "exitCode:i! signal:i reason:s message:s startedAt:t finishedAt:t containerID:s" },
	{ "core.v1.PortStatus",
	  "The state of one load balancer port.",
	  "port:i! protocol:s! error:s" },
	{ "core.v1.ObjectFieldSelector",
	  "A field of the pod, such as metadata.name or status.podIP.",
	  "apiVersion:s fieldPath:s!" },
	{ "core.v1.ResourceFieldSelector",
	  "A container's resource limit or request, such as limits.cpu.",
	  "containerName:s resource:s! divisor:q" },
	{ "core.v1.SecretProjection",
	  "The keys of a Secret in a projected volume.",
	  "name:s items:[KeyToPath optional:b" },
	{ "core.v1.DownwardAPIProjection",
	  "Pod fields in a projected volume.",
	  "items:[DownwardAPIVolumeFile" },
	{ "core.v1.ConfigMapProjection",
	  "The keys of a ConfigMap in a projected volume.",
	  "name:s items:[KeyToPath optional:b" },
	{ "core.v1.ServiceAccountTokenProjection",
	  "A service account token in a projected volume.",
	  "audience:s expirationSeconds:I path:s!" },
	{ "core.v1.ConfigMapKeySelector",
	  "One key of a ConfigMap.",
	  "name:s key:s! optional:b" },
	{ "core.v1.SecretKeySelector",
	  "One key of a Secret.",
	  "name:s key:s! optional:b" },
	{ "core.v1.HTTPHeader",
	  "One HTTP header sent by a probe.",
	  "name:s! value:s!" },
	{ "core.v1.SleepAction",
	  "Waits a number of seconds.",
	  "seconds:I!" },
	{ "core.v1.NodeSelectorTerm",
	  "Requirements on node labels and fields; all must match.",
	  "matchExpressions:[NodeSelectorRequirement matchFields:[NodeSelectorRequirement" },
	{ "core.v1.NodeSelectorRequirement",
	  "One condition on a node label or field.",
	  "key:s! operator:s! values:[s" },
	{ "meta.v1.ListMeta",
	  "Metadata of a list: its resource version and the token to continue a paged list.",
	  "selfLink:s resourceVersion:s continue:s remainingItemCount:I" },
	{ "meta.v1.Status",
	  "The outcome of a request that does not return an object, such as an error.",
	  "apiVersion:s kind:s metadata:ListMeta status:s message:s reason:s "
	  "details:StatusDetails code:i" },
	{ "meta.v1.StatusDetails",
	  "More about a Status: the object concerned and the causes.",
	  "name:s group:s kind:s uid:s causes:[StatusCause retryAfterSeconds:i" },
	{ "meta.v1.StatusCause",
	  "One cause of a failure, often a field.",
	  "reason:s message:s field:s" },
};

static const struct api_openapi_field_doc api_openapi_field_docs[] = {
	{ "meta.v1.ObjectMeta", "name",
	  "Unique name within the namespace (or the cluster, for cluster-scoped kinds)." },
	{ "meta.v1.ObjectMeta", "namespace",
	  "The namespace the object lives in; empty means \"default\" for namespaced kinds." },
	{ "meta.v1.ObjectMeta", "labels",
	  "Key/value pairs that selectors match against." },
	{ "meta.v1.ObjectMeta", "annotations",
	  "Key/value pairs for tools; not used by selectors." },
	{ "meta.v1.ObjectMeta", "generateName",
	  "A prefix from which the server generates a unique name when name is empty." },
	{ "meta.v1.ObjectMeta", "resourceVersion",
	  "Opaque version of the object; used for optimistic concurrency and watches. "
	  "Read-only." },
	{ "meta.v1.ObjectMeta", "uid",
	  "Unique identifier assigned by the server. Read-only." },
	{ "meta.v1.ObjectMeta", "ownerReferences",
	  "Objects this one depends on; when all owners are gone it is garbage collected." },
	{ "meta.v1.ObjectMeta", "finalizers",
	  "Must be empty before the object is removed from storage." },
	{ "apps.v1.DeploymentSpec", "replicas",
	  "Number of desired pods. Defaults to 1." },
	{ "apps.v1.DeploymentSpec", "selector",
	  "Label selector for the pods the Deployment manages; must match the template's "
	  "labels and cannot change." },
	{ "apps.v1.DeploymentSpec", "template",
	  "The pods to create." },
	{ "apps.v1.DeploymentSpec", "strategy",
	  "How old pods are replaced by new ones." },
	{ "apps.v1.DeploymentSpec", "minReadySeconds",
	  "Seconds a new pod must be ready before it counts as available. Defaults to 0." },
	{ "apps.v1.DeploymentSpec", "revisionHistoryLimit",
	  "Number of old ReplicaSets kept for rollback. Defaults to 10." },
	{ "apps.v1.DeploymentSpec", "progressDeadlineSeconds",
	  "Seconds without progress before the Deployment is reported as failed. Defaults to "
	  "600." },
	{ "apps.v1.DeploymentSpec", "paused",
	  "A paused Deployment does not roll out template changes." },
	{ "apps.v1.DeploymentStrategy", "type",
	  "\"Recreate\" or \"RollingUpdate\" (the default)." },
	{ "apps.v1.RollingUpdateDeployment", "maxSurge",
	  "Pods that may exist above the desired count during an update: a number or a "
	  "percentage. Defaults to 25%." },
	{ "apps.v1.RollingUpdateDeployment", "maxUnavailable",
	  "Pods that may be unavailable during an update: a number or a percentage. Defaults "
	  "to 25%." },
	{ "apps.v1.ReplicaSetSpec", "replicas",
	  "Number of desired pods. Defaults to 1." },
	{ "core.v1.PodSpec", "containers",
	  "The containers of the pod. At least one." },
	{ "core.v1.PodSpec", "initContainers",
	  "Containers run one after the other, each to completion, before the others start." },
	{ "core.v1.PodSpec", "volumes",
	  "Volumes the containers may mount." },
	{ "core.v1.PodSpec", "nodeSelector",
	  "Labels a node must have for the pod to be scheduled there." },
	{ "core.v1.PodSpec", "restartPolicy",
	  "\"Always\" (the default), \"OnFailure\" or \"Never\"." },
	{ "core.v1.PodSpec", "terminationGracePeriodSeconds",
	  "Seconds between the stop signal and the kill. Defaults to 30." },
	{ "core.v1.PodSpec", "dnsPolicy",
	  "\"ClusterFirst\" (the default), \"ClusterFirstWithHostNet\", \"Default\" or "
	  "\"None\"." },
	{ "core.v1.PodSpec", "serviceAccountName",
	  "The ServiceAccount the pod runs as." },
	{ "core.v1.PodSpec", "hostNetwork",
	  "Use the node's network namespace." },
	{ "core.v1.PodSpec", "tolerations",
	  "Taints the pod tolerates." },
	{ "core.v1.PodSpec", "topologySpreadConstraints",
	  "How the pods of a group spread across topology domains." },
	{ "core.v1.Container", "name",
	  "Name of the container, unique within the pod (DNS label)." },
	{ "core.v1.Container", "image",
	  "Container image name." },
	{ "core.v1.Container", "command",
	  "Entrypoint array, replacing the image's ENTRYPOINT." },
	{ "core.v1.Container", "args",
	  "Arguments to the entrypoint, replacing the image's CMD." },
	{ "core.v1.Container", "env",
	  "Environment variables to set." },
	{ "core.v1.Container", "ports",
	  "Ports the container exposes; informational." },
	{ "core.v1.Container", "imagePullPolicy",
	  "\"Always\", \"Never\" or \"IfNotPresent\"; defaults to Always for :latest images, "
	  "IfNotPresent otherwise." },
	{ "core.v1.Container", "readinessProbe",
	  "Decides whether the container receives Service traffic." },
	{ "core.v1.Container", "livenessProbe",
	  "Restarts the container when it fails." },
	{ "core.v1.Container", "startupProbe",
	  "Holds the other probes back until the container has started." },
	{ "core.v1.ContainerPort", "containerPort",
	  "Port number on the pod's address." },
	{ "core.v1.ContainerPort", "protocol",
	  "\"TCP\" (the default), \"UDP\" or \"SCTP\"." },
	{ "core.v1.ServiceSpec", "type",
	  "\"ClusterIP\" (the default), \"NodePort\", \"LoadBalancer\" or \"ExternalName\"." },
	{ "core.v1.ServiceSpec", "selector",
	  "Pods with these labels receive the Service's traffic." },
	{ "core.v1.ServiceSpec", "ports",
	  "The ports the Service exposes." },
	{ "core.v1.ServiceSpec", "clusterIP",
	  "The Service's virtual address; allocated when empty, \"None\" for a headless "
	  "Service." },
	{ "core.v1.ServiceSpec", "externalTrafficPolicy",
	  "\"Cluster\" (the default) or \"Local\": whether external traffic may go to pods on "
	  "other nodes. Local preserves the client's source address." },
	{ "core.v1.ServiceSpec", "internalTrafficPolicy",
	  "\"Cluster\" (the default) or \"Local\", for traffic from inside the cluster." },
	{ "core.v1.ServiceSpec", "sessionAffinity",
	  "\"None\" (the default) or \"ClientIP\"." },
	{ "core.v1.ServiceSpec", "healthCheckNodePort",
	  "Node port that answers health checks for externalTrafficPolicy Local." },
	{ "core.v1.ServiceSpec", "loadBalancerSourceRanges",
	  "Client address ranges the load balancer accepts." },
	{ "core.v1.ServicePort", "port",
	  "The port the Service listens on." },
	{ "core.v1.ServicePort", "targetPort",
	  "The pods' port: a number or the name of a container port. Defaults to port." },
	{ "core.v1.ServicePort", "nodePort",
	  "The port on every node for NodePort and LoadBalancer Services; allocated when "
	  "empty." },
	{ "core.v1.ServicePort", "protocol",
	  "\"TCP\" (the default), \"UDP\" or \"SCTP\"." },
	{ "core.v1.HTTPGetAction", "port",
	  "Port to connect to: a number or the name of a container port." },
	{ "core.v1.TCPSocketAction", "port",
	  "Port to connect to: a number or the name of a container port." },
	{ "core.v1.ConfigMap", "data",
	  "String values by key." },
	{ "core.v1.ConfigMap", "binaryData",
	  "Base64-encoded binary values by key." },
	{ "core.v1.ConfigMap", "immutable",
	  "When true, data cannot change after creation." },
	{ "core.v1.Secret", "data",
	  "Base64-encoded values by key." },
	{ "core.v1.Secret", "stringData",
	  "Plain string values by key, merged into data on write; never read back." },
	{ "coordination.v1.LeaseSpec", "holderIdentity",
	  "Who holds the lease; a node's lease is held by the node's name." },
	{ "coordination.v1.LeaseSpec", "leaseDurationSeconds",
	  "How long after renewTime others must wait before taking the lease over." },
	{ "coordination.v1.LeaseSpec", "acquireTime",
	  "When the current holder acquired the lease." },
	{ "coordination.v1.LeaseSpec", "renewTime",
	  "When the current holder last renewed the lease." },
	{ "coordination.v1.LeaseSpec", "leaseTransitions",
	  "How many times the lease has changed holders." },
	{ "coordination.v1.LeaseSpec", "strategy",
	  "How the leader is picked under coordinated leader election; unset when the lease "
	  "is not coordinated." },
	{ "coordination.v1.LeaseSpec", "preferredHolder",
	  "The holder the lease should be handed to; only with strategy." },
	{ "networking.v1.IngressSpec", "ingressClassName",
	  "The IngressClass of the controller that serves this Ingress; clientip-gateway "
	  "serves \"azure-application-gateway\"." },
	{ "networking.v1.HTTPIngressPath", "pathType",
	  "\"Exact\", \"Prefix\" (by path elements split on '/') or "
	  "\"ImplementationSpecific\"." },
	{ "core.v1.Secret", "type",
	  "Used to check and process the data, e.g. \"Opaque\" (the default) or "
	  "\"kubernetes.io/tls\"." },
};

#define API_OPENAPI_NTYPES (sizeof(api_openapi_types) / sizeof(api_openapi_types[0]))
#define API_OPENAPI_NDOCS (sizeof(api_openapi_field_docs) / sizeof(api_openapi_field_docs[0]))

/* Packages of the table and the API group each stands for. */
static const struct {
	const char *pkg;
	const char *group;
} api_openapi_pkgs[] = {
	{ "core", "" },
	{ "apps", "apps" },
	{ "coordination", "coordination.k8s.io" },
	{ "discovery", "discovery.k8s.io" },
	{ "networking", "networking.k8s.io" },
	{ "autoscaling", "autoscaling" },
};

/* ---- reading the table ---- */

/* Reads the next "name:type" token of a field list, advancing *p; false
 * at the end. */
bool api_openapi_next_field(const char **p, struct api_openapi_field *f)
{
	const char *s = *p, *end, *colon, *t;

	while (*s == ' ')
		s++;
	if (*s == '\0')
		return false;
	end = s + strcspn(s, " ");
	colon = memchr(s, ':', (size_t)(end - s));
	if (!colon)
		colon = end;
	memset(f, 0, sizeof(*f));
	f->name = s;
	f->name_len = (size_t)(colon - s);
	t = colon < end ? colon + 1 : end;
	f->type = t;
	f->type_len = strcspn(t, "@+! ");
	for (t += f->type_len; t < end; ) {
		if (*t == '!') {
			f->required = true;
			t++;
		} else if (*t == '+') {
			f->merge = true;
			t++;
		} else if (*t == '@') {
			f->merge = true;
			f->merge_key = ++t;
			f->merge_key_len = strcspn(t, "! ");
			t += f->merge_key_len;
		} else {
			t++;
		}
	}
	*p = end;
	return true;
}

bool api_openapi_find_field(const struct api_openapi_type *t, const char *key,
			    size_t key_len, struct api_openapi_field *f)
{
	const char *p = t->fields;

	while (api_openapi_next_field(&p, f))
		if (f->name_len == key_len && memcmp(f->name, key, key_len) == 0)
			return true;
	return false;
}

static const struct api_openapi_type *api_openapi_type_named(const char *name, size_t len)
{
	for (size_t i = 0; i < API_OPENAPI_NTYPES; i++)
		if (strlen(api_openapi_types[i].name) == len &&
		    memcmp(api_openapi_types[i].name, name, len) == 0)
			return &api_openapi_types[i];
	return NULL;
}

const struct api_openapi_type *api_openapi_type_by_name(const char *name)
{
	return api_openapi_type_named(name, strlen(name));
}

/* A type reference of a field list: the type of that name in the
 * referring type's package, else the only other one of that name. */
const struct api_openapi_type *api_openapi_resolve(const struct api_openapi_type *from,
						   const char *ref, size_t len)
{
	const char *dot = strrchr(from->name, '.');
	size_t plen = (size_t)(dot - from->name) + 1;
	char name[128];

	if (plen + len < sizeof(name)) {
		memcpy(name, from->name, plen);
		memcpy(name + plen, ref, len);
		const struct api_openapi_type *t = api_openapi_type_named(name, plen + len);
		if (t)
			return t;
	}
	for (size_t i = 0; i < API_OPENAPI_NTYPES; i++) {
		const char *n = api_openapi_types[i].name, *last = strrchr(n, '.') + 1;
		if (strlen(last) == len && memcmp(last, ref, len) == 0)
			return &api_openapi_types[i];
	}
	return NULL;
}

/* A type name, not one of the one-letter scalars (I, B and T are capitals). */
bool api_openapi_is_ref(const char *spec, size_t len)
{
	return len > 1 && spec[0] >= 'A' && spec[0] <= 'Z';
}

/* The table's package of an API group: "apps" for apps, "discovery" for
 * discovery.k8s.io. */
static const char *api_openapi_pkg_of_group(const char *group)
{
	for (size_t i = 0; i < sizeof(api_openapi_pkgs) / sizeof(api_openapi_pkgs[0]); i++)
		if (strcmp(api_openapi_pkgs[i].group, group) == 0)
			return api_openapi_pkgs[i].pkg;
	return NULL;
}

/* The group, version and kind a type stands for when it is a served kind
 * (or autoscaling/v1 Scale, which the scale subresources answer with). */
bool api_openapi_type_gvk(const struct api_openapi_type *t, const char **group,
			  char *version, size_t vlen, const char **kind)
{
	const char *v = strchr(t->name, '.'), *k = strrchr(t->name, '.');
	size_t plen = (size_t)(v - t->name);
	char api_version[96];

	*group = NULL;
	for (size_t i = 0; i < sizeof(api_openapi_pkgs) / sizeof(api_openapi_pkgs[0]); i++)
		if (strlen(api_openapi_pkgs[i].pkg) == plen &&
		    memcmp(api_openapi_pkgs[i].pkg, t->name, plen) == 0)
			*group = api_openapi_pkgs[i].group;
	if (!*group || (size_t)(k - v - 1) >= vlen)
		return false;
	memcpy(version, v + 1, (size_t)(k - v - 1));
	version[k - v - 1] = '\0';
	*kind = k + 1;
	if (strcmp(*group, "autoscaling") == 0 && strcmp(*kind, "Scale") == 0)
		return true;
	if ((*group)[0])
		snprintf(api_version, sizeof(api_version), "%s/%s", *group, version);
	else
		snprintf(api_version, sizeof(api_version), "%s", version);
	return api_registry_by_kind(api_version, *kind) != NULL;
}

const struct api_openapi_type *api_openapi_kind_type(const struct api_resource *r)
{
	const char *pkg = api_openapi_pkg_of_group(r->group);
	char name[128];
	int n;

	if (!pkg)
		return NULL;
	n = snprintf(name, sizeof(name), "%s.%s.%s", pkg, r->version, r->kind);
	if (n < 0 || (size_t)n >= sizeof(name))
		return NULL;
	return api_openapi_type_named(name, (size_t)n);
}

/* io.k8s.api.apps.v1.Deployment, io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta */
void api_openapi_schema_name(const struct api_openapi_type *t, char *buf, size_t len)
{
	if (strncmp(t->name, "meta.", 5) == 0)
		snprintf(buf, len, "io.k8s.apimachinery.pkg.apis.%s", t->name);
	else
		snprintf(buf, len, "io.k8s.api.%s", t->name);
}

const char *api_openapi_field_desc(const struct api_openapi_type *t,
				   const struct api_openapi_field *f)
{
	for (size_t i = 0; i < API_OPENAPI_NDOCS; i++) {
		const struct api_openapi_field_doc *d = &api_openapi_field_docs[i];
		if (strcmp(d->type, t->name) == 0 && strlen(d->field) == f->name_len &&
		    memcmp(d->field, f->name, f->name_len) == 0)
			return d->desc;
	}
	return NULL;
}
