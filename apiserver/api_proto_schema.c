/* api_proto_schema.c — the messages of the kinds served, for the protobuf
 * decoder (api_proto.c): each message's fields with their numbers, JSON
 * names and kinds. The field numbers are those of k8s.io/api core/v1,
 * apps/v1, coordination/v1, discovery/v1 and k8s.io/apimachinery meta/v1
 * (the `protobuf:` struct tags and generated.proto agree).
 *
 * The file is long because it is one table, and nothing else: 201
 * messages, a line for each of their 872 fields, the index of the
 * messages and the 13 kinds a body may carry. The wire format that reads
 * it is api_proto.c's; the table's shape is api_proto_int.h's. */
#include <string.h>

#include "api_proto_int.h"

#define API_PROTO_NONE 0
/* One field: number, JSON name, kind, flag (NONE, KEEP, REP, MAP, INLINE)
 * and message (NONE or pkg_Name). */
#define API_PROTO_F(num, name, kind, flag, sub) \
	{ num, name, API_PROTO_##kind, API_PROTO_##flag, API_PROTO_M_##sub }
#define API_PROTO_DEF(pkg, n) \
	[API_PROTO_M_##pkg##_##n] = { #n, api_proto_f_##pkg##_##n, API_PROTO_N(api_proto_f_##pkg##_##n) }

/* The messages the served kinds are made of (201). */
enum api_proto_msg_id {
	API_PROTO_M_NONE,
	API_PROTO_M_meta_OwnerReference,
	API_PROTO_M_meta_ManagedFieldsEntry,
	API_PROTO_M_meta_ObjectMeta,
	API_PROTO_M_core_NamespaceSpec,
	API_PROTO_M_core_NamespaceCondition,
	API_PROTO_M_core_NamespaceStatus,
	API_PROTO_M_core_Namespace,
	API_PROTO_M_core_ConfigMap,
	API_PROTO_M_core_Secret,
	API_PROTO_M_core_ObjectReference,
	API_PROTO_M_core_LocalObjectReference,
	API_PROTO_M_core_ServiceAccount,
	API_PROTO_M_core_ServicePort,
	API_PROTO_M_core_ClientIPConfig,
	API_PROTO_M_core_SessionAffinityConfig,
	API_PROTO_M_core_ServiceSpec,
	API_PROTO_M_core_PortStatus,
	API_PROTO_M_core_LoadBalancerIngress,
	API_PROTO_M_core_LoadBalancerStatus,
	API_PROTO_M_meta_Condition,
	API_PROTO_M_core_ServiceStatus,
	API_PROTO_M_core_Service,
	API_PROTO_M_core_HostPathVolumeSource,
	API_PROTO_M_core_EmptyDirVolumeSource,
	API_PROTO_M_core_GCEPersistentDiskVolumeSource,
	API_PROTO_M_core_AWSElasticBlockStoreVolumeSource,
	API_PROTO_M_core_GitRepoVolumeSource,
	API_PROTO_M_core_KeyToPath,
	API_PROTO_M_core_SecretVolumeSource,
	API_PROTO_M_core_NFSVolumeSource,
	API_PROTO_M_core_ISCSIVolumeSource,
	API_PROTO_M_core_GlusterfsVolumeSource,
	API_PROTO_M_core_PersistentVolumeClaimVolumeSource,
	API_PROTO_M_core_RBDVolumeSource,
	API_PROTO_M_core_FlexVolumeSource,
	API_PROTO_M_core_CinderVolumeSource,
	API_PROTO_M_core_CephFSVolumeSource,
	API_PROTO_M_core_FlockerVolumeSource,
	API_PROTO_M_core_ObjectFieldSelector,
	API_PROTO_M_core_ResourceFieldSelector,
	API_PROTO_M_core_DownwardAPIVolumeFile,
	API_PROTO_M_core_DownwardAPIVolumeSource,
	API_PROTO_M_core_FCVolumeSource,
	API_PROTO_M_core_AzureFileVolumeSource,
	API_PROTO_M_core_ConfigMapVolumeSource,
	API_PROTO_M_core_VsphereVirtualDiskVolumeSource,
	API_PROTO_M_core_QuobyteVolumeSource,
	API_PROTO_M_core_AzureDiskVolumeSource,
	API_PROTO_M_core_PhotonPersistentDiskVolumeSource,
	API_PROTO_M_core_SecretProjection,
	API_PROTO_M_core_DownwardAPIProjection,
	API_PROTO_M_core_ConfigMapProjection,
	API_PROTO_M_core_ServiceAccountTokenProjection,
	API_PROTO_M_meta_LabelSelectorRequirement,
	API_PROTO_M_meta_LabelSelector,
	API_PROTO_M_core_ClusterTrustBundleProjection,
	API_PROTO_M_core_PodCertificateProjection,
	API_PROTO_M_core_VolumeProjection,
	API_PROTO_M_core_ProjectedVolumeSource,
	API_PROTO_M_core_PortworxVolumeSource,
	API_PROTO_M_core_ScaleIOVolumeSource,
	API_PROTO_M_core_StorageOSVolumeSource,
	API_PROTO_M_core_CSIVolumeSource,
	API_PROTO_M_core_VolumeResourceRequirements,
	API_PROTO_M_core_TypedLocalObjectReference,
	API_PROTO_M_core_TypedObjectReference,
	API_PROTO_M_core_PersistentVolumeClaimSpec,
	API_PROTO_M_core_PersistentVolumeClaimTemplate,
	API_PROTO_M_core_EphemeralVolumeSource,
	API_PROTO_M_core_ImageVolumeSource,
	API_PROTO_M_core_VolumeSource,
	API_PROTO_M_core_Volume,
	API_PROTO_M_core_ContainerPort,
	API_PROTO_M_core_ConfigMapEnvSource,
	API_PROTO_M_core_SecretEnvSource,
	API_PROTO_M_core_EnvFromSource,
	API_PROTO_M_core_ConfigMapKeySelector,
	API_PROTO_M_core_SecretKeySelector,
	API_PROTO_M_core_FileKeySelector,
	API_PROTO_M_core_EnvVarSource,
	API_PROTO_M_core_EnvVar,
	API_PROTO_M_core_ResourceClaim,
	API_PROTO_M_core_ResourceRequirements,
	API_PROTO_M_core_ContainerResizePolicy,
	API_PROTO_M_core_ContainerRestartRuleOnExitCodes,
	API_PROTO_M_core_ContainerRestartRule,
	API_PROTO_M_core_VolumeMount,
	API_PROTO_M_core_VolumeDevice,
	API_PROTO_M_core_ExecAction,
	API_PROTO_M_core_HTTPHeader,
	API_PROTO_M_core_HTTPGetAction,
	API_PROTO_M_core_TCPSocketAction,
	API_PROTO_M_core_GRPCAction,
	API_PROTO_M_core_ProbeHandler,
	API_PROTO_M_core_Probe,
	API_PROTO_M_core_SleepAction,
	API_PROTO_M_core_LifecycleHandler,
	API_PROTO_M_core_Lifecycle,
	API_PROTO_M_core_Capabilities,
	API_PROTO_M_core_SELinuxOptions,
	API_PROTO_M_core_WindowsSecurityContextOptions,
	API_PROTO_M_core_SeccompProfile,
	API_PROTO_M_core_AppArmorProfile,
	API_PROTO_M_core_SecurityContext,
	API_PROTO_M_core_Container,
	API_PROTO_M_core_EphemeralContainer,
	API_PROTO_M_core_Sysctl,
	API_PROTO_M_core_PodSecurityContext,
	API_PROTO_M_core_NodeSelectorRequirement,
	API_PROTO_M_core_NodeSelectorTerm,
	API_PROTO_M_core_NodeSelector,
	API_PROTO_M_core_PreferredSchedulingTerm,
	API_PROTO_M_core_NodeAffinity,
	API_PROTO_M_core_PodAffinityTerm,
	API_PROTO_M_core_WeightedPodAffinityTerm,
	API_PROTO_M_core_PodAffinity,
	API_PROTO_M_core_PodAntiAffinity,
	API_PROTO_M_core_Affinity,
	API_PROTO_M_core_Toleration,
	API_PROTO_M_core_HostAlias,
	API_PROTO_M_core_PodDNSConfigOption,
	API_PROTO_M_core_PodDNSConfig,
	API_PROTO_M_core_PodReadinessGate,
	API_PROTO_M_core_TopologySpreadConstraint,
	API_PROTO_M_core_PodOS,
	API_PROTO_M_core_PodSchedulingGate,
	API_PROTO_M_core_PodResourceClaim,
	API_PROTO_M_core_PodSchedulingGroup,
	API_PROTO_M_core_EvictionResponder,
	API_PROTO_M_core_PodSpec,
	API_PROTO_M_core_PodCondition,
	API_PROTO_M_core_HostIP,
	API_PROTO_M_core_PodIP,
	API_PROTO_M_core_ContainerStateWaiting,
	API_PROTO_M_core_ContainerStateRunning,
	API_PROTO_M_core_ContainerStateTerminated,
	API_PROTO_M_core_ContainerState,
	API_PROTO_M_core_ImageVolumeStatus,
	API_PROTO_M_core_VolumeStatus,
	API_PROTO_M_core_VolumeMountStatus,
	API_PROTO_M_core_LinuxContainerUser,
	API_PROTO_M_core_ContainerUser,
	API_PROTO_M_core_ResourceHealth,
	API_PROTO_M_core_ResourceStatus,
	API_PROTO_M_core_ContainerStatus,
	API_PROTO_M_core_PodResourceClaimStatus,
	API_PROTO_M_core_ContainerExtendedResourceRequest,
	API_PROTO_M_core_PodExtendedResourceClaimStatus,
	API_PROTO_M_core_NodeAllocatableMappedResources,
	API_PROTO_M_core_NodeAllocatableOverheadResources,
	API_PROTO_M_core_NodeAllocatableResourceClaimStatus,
	API_PROTO_M_core_VolumeHealthCondition,
	API_PROTO_M_core_PodVolumeHealth,
	API_PROTO_M_core_PodStatus,
	API_PROTO_M_core_Pod,
	API_PROTO_M_core_EndpointAddress,
	API_PROTO_M_core_EndpointPort,
	API_PROTO_M_core_EndpointSubset,
	API_PROTO_M_core_Endpoints,
	API_PROTO_M_core_EventSource,
	API_PROTO_M_core_EventSeries,
	API_PROTO_M_core_Event,
	API_PROTO_M_core_Taint,
	API_PROTO_M_core_ConfigMapNodeConfigSource,
	API_PROTO_M_core_NodeConfigSource,
	API_PROTO_M_core_NodePodPreemptionPolicy,
	API_PROTO_M_core_NodeSpec,
	API_PROTO_M_core_NodeCondition,
	API_PROTO_M_core_NodeAddress,
	API_PROTO_M_core_DaemonEndpoint,
	API_PROTO_M_core_NodeDaemonEndpoints,
	API_PROTO_M_core_NodeSwapStatus,
	API_PROTO_M_core_NodeSystemInfo,
	API_PROTO_M_core_ContainerImage,
	API_PROTO_M_core_AttachedVolume,
	API_PROTO_M_core_NodeConfigStatus,
	API_PROTO_M_core_NodeRuntimeHandlerFeatures,
	API_PROTO_M_core_NodeRuntimeHandler,
	API_PROTO_M_core_NodeFeatures,
	API_PROTO_M_core_NodeStatus,
	API_PROTO_M_core_Node,
	API_PROTO_M_core_PodTemplateSpec,
	API_PROTO_M_apps_RollingUpdateDeployment,
	API_PROTO_M_apps_DeploymentStrategy,
	API_PROTO_M_apps_DeploymentSpec,
	API_PROTO_M_apps_DeploymentCondition,
	API_PROTO_M_apps_DeploymentStatus,
	API_PROTO_M_apps_Deployment,
	API_PROTO_M_apps_ReplicaSetSpec,
	API_PROTO_M_apps_ReplicaSetCondition,
	API_PROTO_M_apps_ReplicaSetStatus,
	API_PROTO_M_apps_ReplicaSet,
	API_PROTO_M_disc_EndpointConditions,
	API_PROTO_M_disc_ForZone,
	API_PROTO_M_disc_ForNode,
	API_PROTO_M_disc_EndpointHints,
	API_PROTO_M_disc_Endpoint,
	API_PROTO_M_disc_EndpointPort,
	API_PROTO_M_disc_EndpointSlice,
	API_PROTO_M_coord_LeaseSpec,
	API_PROTO_M_coord_Lease,
	API_PROTO_M_COUNT
};

static const struct api_proto_field api_proto_f_meta_OwnerReference[] = {
	API_PROTO_F(1, "kind", STR, NONE, NONE),
	API_PROTO_F(3, "name", STR, NONE, NONE),
	API_PROTO_F(4, "uid", STR, NONE, NONE),
	API_PROTO_F(5, "apiVersion", STR, NONE, NONE),
	API_PROTO_F(6, "controller", BOOL, KEEP, NONE),
	API_PROTO_F(7, "blockOwnerDeletion", BOOL, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_meta_ManagedFieldsEntry[] = {
	API_PROTO_F(1, "manager", STR, NONE, NONE),
	API_PROTO_F(2, "operation", STR, NONE, NONE),
	API_PROTO_F(3, "apiVersion", STR, NONE, NONE),
	API_PROTO_F(4, "time", TIME, KEEP, NONE),
	API_PROTO_F(6, "fieldsType", STR, NONE, NONE),
	API_PROTO_F(7, "fieldsV1", RAWJSON, KEEP, NONE),
	API_PROTO_F(8, "subresource", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_meta_ObjectMeta[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
	API_PROTO_F(2, "generateName", STR, NONE, NONE),
	API_PROTO_F(3, "namespace", STR, NONE, NONE),
	API_PROTO_F(4, "selfLink", STR, NONE, NONE),
	API_PROTO_F(5, "uid", STR, NONE, NONE),
	API_PROTO_F(6, "resourceVersion", STR, NONE, NONE),
	API_PROTO_F(7, "generation", INT, NONE, NONE),
	API_PROTO_F(8, "creationTimestamp", TIME, NONE, NONE),
	API_PROTO_F(9, "deletionTimestamp", TIME, KEEP, NONE),
	API_PROTO_F(10, "deletionGracePeriodSeconds", INT, KEEP, NONE),
	API_PROTO_F(11, "labels", STR, MAP, NONE),
	API_PROTO_F(12, "annotations", STR, MAP, NONE),
	API_PROTO_F(13, "ownerReferences", MSG, REP, meta_OwnerReference),
	API_PROTO_F(14, "finalizers", STR, REP, NONE),
	API_PROTO_F(17, "managedFields", MSG, REP, meta_ManagedFieldsEntry),
};
static const struct api_proto_field api_proto_f_core_NamespaceSpec[] = {
	API_PROTO_F(1, "finalizers", STR, REP, NONE),
};
static const struct api_proto_field api_proto_f_core_NamespaceCondition[] = {
	API_PROTO_F(1, "type", STR, NONE, NONE),
	API_PROTO_F(2, "status", STR, NONE, NONE),
	API_PROTO_F(4, "lastTransitionTime", TIME, NONE, NONE),
	API_PROTO_F(5, "reason", STR, NONE, NONE),
	API_PROTO_F(6, "message", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_NamespaceStatus[] = {
	API_PROTO_F(1, "phase", STR, NONE, NONE),
	API_PROTO_F(2, "conditions", MSG, REP, core_NamespaceCondition),
};
static const struct api_proto_field api_proto_f_core_Namespace[] = {
	API_PROTO_F(1, "metadata", MSG, NONE, meta_ObjectMeta),
	API_PROTO_F(2, "spec", MSG, NONE, core_NamespaceSpec),
	API_PROTO_F(3, "status", MSG, NONE, core_NamespaceStatus),
};
static const struct api_proto_field api_proto_f_core_ConfigMap[] = {
	API_PROTO_F(1, "metadata", MSG, NONE, meta_ObjectMeta),
	API_PROTO_F(2, "data", STR, MAP, NONE),
	API_PROTO_F(3, "binaryData", BYTES, MAP, NONE),
	API_PROTO_F(4, "immutable", BOOL, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_Secret[] = {
	API_PROTO_F(1, "metadata", MSG, NONE, meta_ObjectMeta),
	API_PROTO_F(2, "data", BYTES, MAP, NONE),
	API_PROTO_F(3, "type", STR, NONE, NONE),
	API_PROTO_F(4, "stringData", STR, MAP, NONE),
	API_PROTO_F(5, "immutable", BOOL, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_ObjectReference[] = {
	API_PROTO_F(1, "kind", STR, NONE, NONE),
	API_PROTO_F(2, "namespace", STR, NONE, NONE),
	API_PROTO_F(3, "name", STR, NONE, NONE),
	API_PROTO_F(4, "uid", STR, NONE, NONE),
	API_PROTO_F(5, "apiVersion", STR, NONE, NONE),
	API_PROTO_F(6, "resourceVersion", STR, NONE, NONE),
	API_PROTO_F(7, "fieldPath", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_LocalObjectReference[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_ServiceAccount[] = {
	API_PROTO_F(1, "metadata", MSG, NONE, meta_ObjectMeta),
	API_PROTO_F(2, "secrets", MSG, REP, core_ObjectReference),
	API_PROTO_F(3, "imagePullSecrets", MSG, REP, core_LocalObjectReference),
	API_PROTO_F(4, "automountServiceAccountToken", BOOL, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_ServicePort[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
	API_PROTO_F(2, "protocol", STR, NONE, NONE),
	API_PROTO_F(3, "port", INT, NONE, NONE),
	API_PROTO_F(4, "targetPort", IOS, NONE, NONE),
	API_PROTO_F(5, "nodePort", INT, NONE, NONE),
	API_PROTO_F(6, "appProtocol", STR, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_ClientIPConfig[] = {
	API_PROTO_F(1, "timeoutSeconds", INT, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_SessionAffinityConfig[] = {
	API_PROTO_F(1, "clientIP", MSG, KEEP, core_ClientIPConfig),
};
static const struct api_proto_field api_proto_f_core_ServiceSpec[] = {
	API_PROTO_F(1, "ports", MSG, REP, core_ServicePort),
	API_PROTO_F(2, "selector", STR, MAP, NONE),
	API_PROTO_F(3, "clusterIP", STR, NONE, NONE),
	API_PROTO_F(4, "type", STR, NONE, NONE),
	API_PROTO_F(5, "externalIPs", STR, REP, NONE),
	API_PROTO_F(7, "sessionAffinity", STR, NONE, NONE),
	API_PROTO_F(8, "loadBalancerIP", STR, NONE, NONE),
	API_PROTO_F(9, "loadBalancerSourceRanges", STR, REP, NONE),
	API_PROTO_F(10, "externalName", STR, NONE, NONE),
	API_PROTO_F(11, "externalTrafficPolicy", STR, NONE, NONE),
	API_PROTO_F(12, "healthCheckNodePort", INT, NONE, NONE),
	API_PROTO_F(13, "publishNotReadyAddresses", BOOL, NONE, NONE),
	API_PROTO_F(14, "sessionAffinityConfig", MSG, KEEP, core_SessionAffinityConfig),
	API_PROTO_F(17, "ipFamilyPolicy", STR, KEEP, NONE),
	API_PROTO_F(18, "clusterIPs", STR, REP, NONE),
	API_PROTO_F(19, "ipFamilies", STR, REP, NONE),
	API_PROTO_F(20, "allocateLoadBalancerNodePorts", BOOL, KEEP, NONE),
	API_PROTO_F(21, "loadBalancerClass", STR, KEEP, NONE),
	API_PROTO_F(22, "internalTrafficPolicy", STR, KEEP, NONE),
	API_PROTO_F(23, "trafficDistribution", STR, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_PortStatus[] = {
	API_PROTO_F(1, "port", INT, NONE, NONE),
	API_PROTO_F(2, "protocol", STR, NONE, NONE),
	API_PROTO_F(3, "error", STR, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_LoadBalancerIngress[] = {
	API_PROTO_F(1, "ip", STR, NONE, NONE),
	API_PROTO_F(2, "hostname", STR, NONE, NONE),
	API_PROTO_F(3, "ipMode", STR, KEEP, NONE),
	API_PROTO_F(4, "ports", MSG, REP, core_PortStatus),
};
static const struct api_proto_field api_proto_f_core_LoadBalancerStatus[] = {
	API_PROTO_F(1, "ingress", MSG, REP, core_LoadBalancerIngress),
};
static const struct api_proto_field api_proto_f_meta_Condition[] = {
	API_PROTO_F(1, "type", STR, NONE, NONE),
	API_PROTO_F(2, "status", STR, NONE, NONE),
	API_PROTO_F(3, "observedGeneration", INT, NONE, NONE),
	API_PROTO_F(4, "lastTransitionTime", TIME, NONE, NONE),
	API_PROTO_F(5, "reason", STR, NONE, NONE),
	API_PROTO_F(6, "message", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_ServiceStatus[] = {
	API_PROTO_F(1, "loadBalancer", MSG, NONE, core_LoadBalancerStatus),
	API_PROTO_F(2, "conditions", MSG, REP, meta_Condition),
};
static const struct api_proto_field api_proto_f_core_Service[] = {
	API_PROTO_F(1, "metadata", MSG, NONE, meta_ObjectMeta),
	API_PROTO_F(2, "spec", MSG, NONE, core_ServiceSpec),
	API_PROTO_F(3, "status", MSG, NONE, core_ServiceStatus),
};
static const struct api_proto_field api_proto_f_core_HostPathVolumeSource[] = {
	API_PROTO_F(1, "path", STR, NONE, NONE),
	API_PROTO_F(2, "type", STR, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_EmptyDirVolumeSource[] = {
	API_PROTO_F(1, "medium", STR, NONE, NONE),
	API_PROTO_F(2, "sizeLimit", QTY, KEEP, NONE),
	API_PROTO_F(3, "mode", INT, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_GCEPersistentDiskVolumeSource[] = {
	API_PROTO_F(1, "pdName", STR, NONE, NONE),
	API_PROTO_F(2, "fsType", STR, NONE, NONE),
	API_PROTO_F(3, "partition", INT, NONE, NONE),
	API_PROTO_F(4, "readOnly", BOOL, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_AWSElasticBlockStoreVolumeSource[] = {
	API_PROTO_F(1, "volumeID", STR, NONE, NONE),
	API_PROTO_F(2, "fsType", STR, NONE, NONE),
	API_PROTO_F(3, "partition", INT, NONE, NONE),
	API_PROTO_F(4, "readOnly", BOOL, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_GitRepoVolumeSource[] = {
	API_PROTO_F(1, "repository", STR, NONE, NONE),
	API_PROTO_F(2, "revision", STR, NONE, NONE),
	API_PROTO_F(3, "directory", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_KeyToPath[] = {
	API_PROTO_F(1, "key", STR, NONE, NONE),
	API_PROTO_F(2, "path", STR, NONE, NONE),
	API_PROTO_F(3, "mode", INT, KEEP, NONE),
	API_PROTO_F(4, "user", INT, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_SecretVolumeSource[] = {
	API_PROTO_F(1, "secretName", STR, NONE, NONE),
	API_PROTO_F(2, "items", MSG, REP, core_KeyToPath),
	API_PROTO_F(3, "defaultMode", INT, KEEP, NONE),
	API_PROTO_F(4, "optional", BOOL, KEEP, NONE),
	API_PROTO_F(5, "defaultUser", INT, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_NFSVolumeSource[] = {
	API_PROTO_F(1, "server", STR, NONE, NONE),
	API_PROTO_F(2, "path", STR, NONE, NONE),
	API_PROTO_F(3, "readOnly", BOOL, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_ISCSIVolumeSource[] = {
	API_PROTO_F(1, "targetPortal", STR, NONE, NONE),
	API_PROTO_F(2, "iqn", STR, NONE, NONE),
	API_PROTO_F(3, "lun", INT, NONE, NONE),
	API_PROTO_F(4, "iscsiInterface", STR, NONE, NONE),
	API_PROTO_F(5, "fsType", STR, NONE, NONE),
	API_PROTO_F(6, "readOnly", BOOL, NONE, NONE),
	API_PROTO_F(7, "portals", STR, REP, NONE),
	API_PROTO_F(8, "chapAuthDiscovery", BOOL, NONE, NONE),
	API_PROTO_F(10, "secretRef", MSG, KEEP, core_LocalObjectReference),
	API_PROTO_F(11, "chapAuthSession", BOOL, NONE, NONE),
	API_PROTO_F(12, "initiatorName", STR, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_GlusterfsVolumeSource[] = {
	API_PROTO_F(1, "endpoints", STR, NONE, NONE),
	API_PROTO_F(2, "path", STR, NONE, NONE),
	API_PROTO_F(3, "readOnly", BOOL, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_PersistentVolumeClaimVolumeSource[] = {
	API_PROTO_F(1, "claimName", STR, NONE, NONE),
	API_PROTO_F(2, "readOnly", BOOL, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_RBDVolumeSource[] = {
	API_PROTO_F(1, "monitors", STR, REP, NONE),
	API_PROTO_F(2, "image", STR, NONE, NONE),
	API_PROTO_F(3, "fsType", STR, NONE, NONE),
	API_PROTO_F(4, "pool", STR, NONE, NONE),
	API_PROTO_F(5, "user", STR, NONE, NONE),
	API_PROTO_F(6, "keyring", STR, NONE, NONE),
	API_PROTO_F(7, "secretRef", MSG, KEEP, core_LocalObjectReference),
	API_PROTO_F(8, "readOnly", BOOL, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_FlexVolumeSource[] = {
	API_PROTO_F(1, "driver", STR, NONE, NONE),
	API_PROTO_F(2, "fsType", STR, NONE, NONE),
	API_PROTO_F(3, "secretRef", MSG, KEEP, core_LocalObjectReference),
	API_PROTO_F(4, "readOnly", BOOL, NONE, NONE),
	API_PROTO_F(5, "options", STR, MAP, NONE),
};
static const struct api_proto_field api_proto_f_core_CinderVolumeSource[] = {
	API_PROTO_F(1, "volumeID", STR, NONE, NONE),
	API_PROTO_F(2, "fsType", STR, NONE, NONE),
	API_PROTO_F(3, "readOnly", BOOL, NONE, NONE),
	API_PROTO_F(4, "secretRef", MSG, KEEP, core_LocalObjectReference),
};
static const struct api_proto_field api_proto_f_core_CephFSVolumeSource[] = {
	API_PROTO_F(1, "monitors", STR, REP, NONE),
	API_PROTO_F(2, "path", STR, NONE, NONE),
	API_PROTO_F(3, "user", STR, NONE, NONE),
	API_PROTO_F(4, "secretFile", STR, NONE, NONE),
	API_PROTO_F(5, "secretRef", MSG, KEEP, core_LocalObjectReference),
	API_PROTO_F(6, "readOnly", BOOL, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_FlockerVolumeSource[] = {
	API_PROTO_F(1, "datasetName", STR, NONE, NONE),
	API_PROTO_F(2, "datasetUUID", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_ObjectFieldSelector[] = {
	API_PROTO_F(1, "apiVersion", STR, NONE, NONE),
	API_PROTO_F(2, "fieldPath", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_ResourceFieldSelector[] = {
	API_PROTO_F(1, "containerName", STR, NONE, NONE),
	API_PROTO_F(2, "resource", STR, NONE, NONE),
	API_PROTO_F(3, "divisor", QTY, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_DownwardAPIVolumeFile[] = {
	API_PROTO_F(1, "path", STR, NONE, NONE),
	API_PROTO_F(2, "fieldRef", MSG, KEEP, core_ObjectFieldSelector),
	API_PROTO_F(3, "resourceFieldRef", MSG, KEEP, core_ResourceFieldSelector),
	API_PROTO_F(4, "mode", INT, KEEP, NONE),
	API_PROTO_F(5, "user", INT, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_DownwardAPIVolumeSource[] = {
	API_PROTO_F(1, "items", MSG, REP, core_DownwardAPIVolumeFile),
	API_PROTO_F(2, "defaultMode", INT, KEEP, NONE),
	API_PROTO_F(3, "defaultUser", INT, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_FCVolumeSource[] = {
	API_PROTO_F(1, "targetWWNs", STR, REP, NONE),
	API_PROTO_F(2, "lun", INT, KEEP, NONE),
	API_PROTO_F(3, "fsType", STR, NONE, NONE),
	API_PROTO_F(4, "readOnly", BOOL, NONE, NONE),
	API_PROTO_F(5, "wwids", STR, REP, NONE),
};
static const struct api_proto_field api_proto_f_core_AzureFileVolumeSource[] = {
	API_PROTO_F(1, "secretName", STR, NONE, NONE),
	API_PROTO_F(2, "shareName", STR, NONE, NONE),
	API_PROTO_F(3, "readOnly", BOOL, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_ConfigMapVolumeSource[] = {
	API_PROTO_F(1, "", MSG, INLINE, core_LocalObjectReference),
	API_PROTO_F(2, "items", MSG, REP, core_KeyToPath),
	API_PROTO_F(3, "defaultMode", INT, KEEP, NONE),
	API_PROTO_F(4, "optional", BOOL, KEEP, NONE),
	API_PROTO_F(5, "defaultUser", INT, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_VsphereVirtualDiskVolumeSource[] = {
	API_PROTO_F(1, "volumePath", STR, NONE, NONE),
	API_PROTO_F(2, "fsType", STR, NONE, NONE),
	API_PROTO_F(3, "storagePolicyName", STR, NONE, NONE),
	API_PROTO_F(4, "storagePolicyID", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_QuobyteVolumeSource[] = {
	API_PROTO_F(1, "registry", STR, NONE, NONE),
	API_PROTO_F(2, "volume", STR, NONE, NONE),
	API_PROTO_F(3, "readOnly", BOOL, NONE, NONE),
	API_PROTO_F(4, "user", STR, NONE, NONE),
	API_PROTO_F(5, "group", STR, NONE, NONE),
	API_PROTO_F(6, "tenant", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_AzureDiskVolumeSource[] = {
	API_PROTO_F(1, "diskName", STR, NONE, NONE),
	API_PROTO_F(2, "diskURI", STR, NONE, NONE),
	API_PROTO_F(3, "cachingMode", STR, KEEP, NONE),
	API_PROTO_F(4, "fsType", STR, KEEP, NONE),
	API_PROTO_F(5, "readOnly", BOOL, KEEP, NONE),
	API_PROTO_F(6, "kind", STR, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_PhotonPersistentDiskVolumeSource[] = {
	API_PROTO_F(1, "pdID", STR, NONE, NONE),
	API_PROTO_F(2, "fsType", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_SecretProjection[] = {
	API_PROTO_F(1, "", MSG, INLINE, core_LocalObjectReference),
	API_PROTO_F(2, "items", MSG, REP, core_KeyToPath),
	API_PROTO_F(4, "optional", BOOL, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_DownwardAPIProjection[] = {
	API_PROTO_F(1, "items", MSG, REP, core_DownwardAPIVolumeFile),
};
static const struct api_proto_field api_proto_f_core_ConfigMapProjection[] = {
	API_PROTO_F(1, "", MSG, INLINE, core_LocalObjectReference),
	API_PROTO_F(2, "items", MSG, REP, core_KeyToPath),
	API_PROTO_F(4, "optional", BOOL, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_ServiceAccountTokenProjection[] = {
	API_PROTO_F(1, "audience", STR, NONE, NONE),
	API_PROTO_F(2, "expirationSeconds", INT, KEEP, NONE),
	API_PROTO_F(3, "path", STR, NONE, NONE),
	API_PROTO_F(4, "user", INT, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_meta_LabelSelectorRequirement[] = {
	API_PROTO_F(1, "key", STR, NONE, NONE),
	API_PROTO_F(2, "operator", STR, NONE, NONE),
	API_PROTO_F(3, "values", STR, REP, NONE),
};
static const struct api_proto_field api_proto_f_meta_LabelSelector[] = {
	API_PROTO_F(1, "matchLabels", STR, MAP, NONE),
	API_PROTO_F(2, "matchExpressions", MSG, REP, meta_LabelSelectorRequirement),
};
static const struct api_proto_field api_proto_f_core_ClusterTrustBundleProjection[] = {
	API_PROTO_F(1, "name", STR, KEEP, NONE),
	API_PROTO_F(2, "signerName", STR, KEEP, NONE),
	API_PROTO_F(3, "labelSelector", MSG, KEEP, meta_LabelSelector),
	API_PROTO_F(4, "path", STR, NONE, NONE),
	API_PROTO_F(5, "optional", BOOL, KEEP, NONE),
	API_PROTO_F(6, "user", INT, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_PodCertificateProjection[] = {
	API_PROTO_F(1, "signerName", STR, NONE, NONE),
	API_PROTO_F(2, "keyType", STR, NONE, NONE),
	API_PROTO_F(3, "maxExpirationSeconds", INT, KEEP, NONE),
	API_PROTO_F(4, "credentialBundlePath", STR, NONE, NONE),
	API_PROTO_F(5, "keyPath", STR, NONE, NONE),
	API_PROTO_F(6, "certificateChainPath", STR, NONE, NONE),
	API_PROTO_F(7, "userAnnotations", STR, MAP, NONE),
	API_PROTO_F(8, "user", INT, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_VolumeProjection[] = {
	API_PROTO_F(1, "secret", MSG, KEEP, core_SecretProjection),
	API_PROTO_F(2, "downwardAPI", MSG, KEEP, core_DownwardAPIProjection),
	API_PROTO_F(3, "configMap", MSG, KEEP, core_ConfigMapProjection),
	API_PROTO_F(4, "serviceAccountToken", MSG, KEEP, core_ServiceAccountTokenProjection),
	API_PROTO_F(5, "clusterTrustBundle", MSG, KEEP, core_ClusterTrustBundleProjection),
	API_PROTO_F(6, "podCertificate", MSG, KEEP, core_PodCertificateProjection),
};
static const struct api_proto_field api_proto_f_core_ProjectedVolumeSource[] = {
	API_PROTO_F(1, "sources", MSG, REP, core_VolumeProjection),
	API_PROTO_F(2, "defaultMode", INT, KEEP, NONE),
	API_PROTO_F(3, "defaultUser", INT, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_PortworxVolumeSource[] = {
	API_PROTO_F(1, "volumeID", STR, NONE, NONE),
	API_PROTO_F(2, "fsType", STR, NONE, NONE),
	API_PROTO_F(3, "readOnly", BOOL, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_ScaleIOVolumeSource[] = {
	API_PROTO_F(1, "gateway", STR, NONE, NONE),
	API_PROTO_F(2, "system", STR, NONE, NONE),
	API_PROTO_F(3, "secretRef", MSG, KEEP, core_LocalObjectReference),
	API_PROTO_F(4, "sslEnabled", BOOL, NONE, NONE),
	API_PROTO_F(5, "protectionDomain", STR, NONE, NONE),
	API_PROTO_F(6, "storagePool", STR, NONE, NONE),
	API_PROTO_F(7, "storageMode", STR, NONE, NONE),
	API_PROTO_F(8, "volumeName", STR, NONE, NONE),
	API_PROTO_F(9, "fsType", STR, NONE, NONE),
	API_PROTO_F(10, "readOnly", BOOL, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_StorageOSVolumeSource[] = {
	API_PROTO_F(1, "volumeName", STR, NONE, NONE),
	API_PROTO_F(2, "volumeNamespace", STR, NONE, NONE),
	API_PROTO_F(3, "fsType", STR, NONE, NONE),
	API_PROTO_F(4, "readOnly", BOOL, NONE, NONE),
	API_PROTO_F(5, "secretRef", MSG, KEEP, core_LocalObjectReference),
};
static const struct api_proto_field api_proto_f_core_CSIVolumeSource[] = {
	API_PROTO_F(1, "driver", STR, NONE, NONE),
	API_PROTO_F(2, "readOnly", BOOL, KEEP, NONE),
	API_PROTO_F(3, "fsType", STR, KEEP, NONE),
	API_PROTO_F(4, "volumeAttributes", STR, MAP, NONE),
	API_PROTO_F(5, "nodePublishSecretRef", MSG, KEEP, core_LocalObjectReference),
};
static const struct api_proto_field api_proto_f_core_VolumeResourceRequirements[] = {
	API_PROTO_F(1, "limits", QTY, MAP, NONE),
	API_PROTO_F(2, "requests", QTY, MAP, NONE),
};
static const struct api_proto_field api_proto_f_core_TypedLocalObjectReference[] = {
	API_PROTO_F(1, "apiGroup", STR, KEEP, NONE),
	API_PROTO_F(2, "kind", STR, NONE, NONE),
	API_PROTO_F(3, "name", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_TypedObjectReference[] = {
	API_PROTO_F(1, "apiGroup", STR, KEEP, NONE),
	API_PROTO_F(2, "kind", STR, NONE, NONE),
	API_PROTO_F(3, "name", STR, NONE, NONE),
	API_PROTO_F(4, "namespace", STR, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_PersistentVolumeClaimSpec[] = {
	API_PROTO_F(1, "accessModes", STR, REP, NONE),
	API_PROTO_F(2, "resources", MSG, NONE, core_VolumeResourceRequirements),
	API_PROTO_F(3, "volumeName", STR, NONE, NONE),
	API_PROTO_F(4, "selector", MSG, KEEP, meta_LabelSelector),
	API_PROTO_F(5, "storageClassName", STR, KEEP, NONE),
	API_PROTO_F(6, "volumeMode", STR, KEEP, NONE),
	API_PROTO_F(7, "dataSource", MSG, KEEP, core_TypedLocalObjectReference),
	API_PROTO_F(8, "dataSourceRef", MSG, KEEP, core_TypedObjectReference),
	API_PROTO_F(9, "volumeAttributesClassName", STR, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_PersistentVolumeClaimTemplate[] = {
	API_PROTO_F(1, "metadata", MSG, NONE, meta_ObjectMeta),
	API_PROTO_F(2, "spec", MSG, NONE, core_PersistentVolumeClaimSpec),
};
static const struct api_proto_field api_proto_f_core_EphemeralVolumeSource[] = {
	API_PROTO_F(1, "volumeClaimTemplate", MSG, KEEP, core_PersistentVolumeClaimTemplate),
};
static const struct api_proto_field api_proto_f_core_ImageVolumeSource[] = {
	API_PROTO_F(1, "reference", STR, NONE, NONE),
	API_PROTO_F(2, "pullPolicy", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_VolumeSource[] = {
	API_PROTO_F(1, "hostPath", MSG, KEEP, core_HostPathVolumeSource),
	API_PROTO_F(2, "emptyDir", MSG, KEEP, core_EmptyDirVolumeSource),
	API_PROTO_F(3, "gcePersistentDisk", MSG, KEEP, core_GCEPersistentDiskVolumeSource),
	API_PROTO_F(4, "awsElasticBlockStore", MSG, KEEP, core_AWSElasticBlockStoreVolumeSource),
	API_PROTO_F(5, "gitRepo", MSG, KEEP, core_GitRepoVolumeSource),
	API_PROTO_F(6, "secret", MSG, KEEP, core_SecretVolumeSource),
	API_PROTO_F(7, "nfs", MSG, KEEP, core_NFSVolumeSource),
	API_PROTO_F(8, "iscsi", MSG, KEEP, core_ISCSIVolumeSource),
	API_PROTO_F(9, "glusterfs", MSG, KEEP, core_GlusterfsVolumeSource),
	API_PROTO_F(10, "persistentVolumeClaim", MSG, KEEP,
		    core_PersistentVolumeClaimVolumeSource),
	API_PROTO_F(11, "rbd", MSG, KEEP, core_RBDVolumeSource),
	API_PROTO_F(12, "flexVolume", MSG, KEEP, core_FlexVolumeSource),
	API_PROTO_F(13, "cinder", MSG, KEEP, core_CinderVolumeSource),
	API_PROTO_F(14, "cephfs", MSG, KEEP, core_CephFSVolumeSource),
	API_PROTO_F(15, "flocker", MSG, KEEP, core_FlockerVolumeSource),
	API_PROTO_F(16, "downwardAPI", MSG, KEEP, core_DownwardAPIVolumeSource),
	API_PROTO_F(17, "fc", MSG, KEEP, core_FCVolumeSource),
	API_PROTO_F(18, "azureFile", MSG, KEEP, core_AzureFileVolumeSource),
	API_PROTO_F(19, "configMap", MSG, KEEP, core_ConfigMapVolumeSource),
	API_PROTO_F(20, "vsphereVolume", MSG, KEEP, core_VsphereVirtualDiskVolumeSource),
	API_PROTO_F(21, "quobyte", MSG, KEEP, core_QuobyteVolumeSource),
	API_PROTO_F(22, "azureDisk", MSG, KEEP, core_AzureDiskVolumeSource),
	API_PROTO_F(23, "photonPersistentDisk", MSG, KEEP, core_PhotonPersistentDiskVolumeSource),
	API_PROTO_F(24, "portworxVolume", MSG, KEEP, core_PortworxVolumeSource),
	API_PROTO_F(25, "scaleIO", MSG, KEEP, core_ScaleIOVolumeSource),
	API_PROTO_F(26, "projected", MSG, KEEP, core_ProjectedVolumeSource),
	API_PROTO_F(27, "storageos", MSG, KEEP, core_StorageOSVolumeSource),
	API_PROTO_F(28, "csi", MSG, KEEP, core_CSIVolumeSource),
	API_PROTO_F(29, "ephemeral", MSG, KEEP, core_EphemeralVolumeSource),
	API_PROTO_F(30, "image", MSG, KEEP, core_ImageVolumeSource),
};
static const struct api_proto_field api_proto_f_core_Volume[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
	API_PROTO_F(2, "", MSG, INLINE, core_VolumeSource),
};
static const struct api_proto_field api_proto_f_core_ContainerPort[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
	API_PROTO_F(2, "hostPort", INT, NONE, NONE),
	API_PROTO_F(3, "containerPort", INT, NONE, NONE),
	API_PROTO_F(4, "protocol", STR, NONE, NONE),
	API_PROTO_F(5, "hostIP", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_ConfigMapEnvSource[] = {
	API_PROTO_F(1, "", MSG, INLINE, core_LocalObjectReference),
	API_PROTO_F(2, "optional", BOOL, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_SecretEnvSource[] = {
	API_PROTO_F(1, "", MSG, INLINE, core_LocalObjectReference),
	API_PROTO_F(2, "optional", BOOL, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_EnvFromSource[] = {
	API_PROTO_F(1, "prefix", STR, NONE, NONE),
	API_PROTO_F(2, "configMapRef", MSG, KEEP, core_ConfigMapEnvSource),
	API_PROTO_F(3, "secretRef", MSG, KEEP, core_SecretEnvSource),
};
static const struct api_proto_field api_proto_f_core_ConfigMapKeySelector[] = {
	API_PROTO_F(1, "", MSG, INLINE, core_LocalObjectReference),
	API_PROTO_F(2, "key", STR, NONE, NONE),
	API_PROTO_F(3, "optional", BOOL, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_SecretKeySelector[] = {
	API_PROTO_F(1, "", MSG, INLINE, core_LocalObjectReference),
	API_PROTO_F(2, "key", STR, NONE, NONE),
	API_PROTO_F(3, "optional", BOOL, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_FileKeySelector[] = {
	API_PROTO_F(1, "volumeName", STR, NONE, NONE),
	API_PROTO_F(2, "path", STR, NONE, NONE),
	API_PROTO_F(3, "key", STR, NONE, NONE),
	API_PROTO_F(4, "optional", BOOL, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_EnvVarSource[] = {
	API_PROTO_F(1, "fieldRef", MSG, KEEP, core_ObjectFieldSelector),
	API_PROTO_F(2, "resourceFieldRef", MSG, KEEP, core_ResourceFieldSelector),
	API_PROTO_F(3, "configMapKeyRef", MSG, KEEP, core_ConfigMapKeySelector),
	API_PROTO_F(4, "secretKeyRef", MSG, KEEP, core_SecretKeySelector),
	API_PROTO_F(5, "fileKeyRef", MSG, KEEP, core_FileKeySelector),
};
static const struct api_proto_field api_proto_f_core_EnvVar[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
	API_PROTO_F(2, "value", STR, NONE, NONE),
	API_PROTO_F(3, "valueFrom", MSG, KEEP, core_EnvVarSource),
};
static const struct api_proto_field api_proto_f_core_ResourceClaim[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
	API_PROTO_F(2, "request", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_ResourceRequirements[] = {
	API_PROTO_F(1, "limits", QTY, MAP, NONE),
	API_PROTO_F(2, "requests", QTY, MAP, NONE),
	API_PROTO_F(3, "claims", MSG, REP, core_ResourceClaim),
};
static const struct api_proto_field api_proto_f_core_ContainerResizePolicy[] = {
	API_PROTO_F(1, "resourceName", STR, NONE, NONE),
	API_PROTO_F(2, "restartPolicy", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_ContainerRestartRuleOnExitCodes[] = {
	API_PROTO_F(1, "operator", STR, NONE, NONE),
	API_PROTO_F(2, "values", INT, REP, NONE),
};
static const struct api_proto_field api_proto_f_core_ContainerRestartRule[] = {
	API_PROTO_F(1, "action", STR, NONE, NONE),
	API_PROTO_F(2, "exitCodes", MSG, KEEP, core_ContainerRestartRuleOnExitCodes),
};
static const struct api_proto_field api_proto_f_core_VolumeMount[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
	API_PROTO_F(2, "readOnly", BOOL, NONE, NONE),
	API_PROTO_F(3, "mountPath", STR, NONE, NONE),
	API_PROTO_F(4, "subPath", STR, NONE, NONE),
	API_PROTO_F(5, "mountPropagation", STR, KEEP, NONE),
	API_PROTO_F(6, "subPathExpr", STR, NONE, NONE),
	API_PROTO_F(7, "recursiveReadOnly", STR, KEEP, NONE),
	API_PROTO_F(8, "bindMountOptions", STR, REP, NONE),
};
static const struct api_proto_field api_proto_f_core_VolumeDevice[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
	API_PROTO_F(2, "devicePath", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_ExecAction[] = {
	API_PROTO_F(1, "command", STR, REP, NONE),
};
static const struct api_proto_field api_proto_f_core_HTTPHeader[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
	API_PROTO_F(2, "value", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_HTTPGetAction[] = {
	API_PROTO_F(1, "path", STR, NONE, NONE),
	API_PROTO_F(2, "port", IOS, NONE, NONE),
	API_PROTO_F(3, "host", STR, NONE, NONE),
	API_PROTO_F(4, "scheme", STR, NONE, NONE),
	API_PROTO_F(5, "httpHeaders", MSG, REP, core_HTTPHeader),
	API_PROTO_F(6, "protocol", STR, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_TCPSocketAction[] = {
	API_PROTO_F(1, "port", IOS, NONE, NONE),
	API_PROTO_F(2, "host", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_GRPCAction[] = {
	API_PROTO_F(1, "port", INT, NONE, NONE),
	API_PROTO_F(2, "service", STR, KEEP, NONE),
	API_PROTO_F(3, "mode", STR, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_ProbeHandler[] = {
	API_PROTO_F(1, "exec", MSG, KEEP, core_ExecAction),
	API_PROTO_F(2, "httpGet", MSG, KEEP, core_HTTPGetAction),
	API_PROTO_F(3, "tcpSocket", MSG, KEEP, core_TCPSocketAction),
	API_PROTO_F(4, "grpc", MSG, KEEP, core_GRPCAction),
};
static const struct api_proto_field api_proto_f_core_Probe[] = {
	API_PROTO_F(1, "", MSG, INLINE, core_ProbeHandler),
	API_PROTO_F(2, "initialDelaySeconds", INT, NONE, NONE),
	API_PROTO_F(3, "timeoutSeconds", INT, NONE, NONE),
	API_PROTO_F(4, "periodSeconds", INT, NONE, NONE),
	API_PROTO_F(5, "successThreshold", INT, NONE, NONE),
	API_PROTO_F(6, "failureThreshold", INT, NONE, NONE),
	API_PROTO_F(7, "terminationGracePeriodSeconds", INT, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_SleepAction[] = {
	API_PROTO_F(1, "seconds", INT, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_LifecycleHandler[] = {
	API_PROTO_F(1, "exec", MSG, KEEP, core_ExecAction),
	API_PROTO_F(2, "httpGet", MSG, KEEP, core_HTTPGetAction),
	API_PROTO_F(3, "tcpSocket", MSG, KEEP, core_TCPSocketAction),
	API_PROTO_F(4, "sleep", MSG, KEEP, core_SleepAction),
};
static const struct api_proto_field api_proto_f_core_Lifecycle[] = {
	API_PROTO_F(1, "postStart", MSG, KEEP, core_LifecycleHandler),
	API_PROTO_F(2, "preStop", MSG, KEEP, core_LifecycleHandler),
	API_PROTO_F(3, "stopSignal", STR, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_Capabilities[] = {
	API_PROTO_F(1, "add", STR, REP, NONE),
	API_PROTO_F(2, "drop", STR, REP, NONE),
};
static const struct api_proto_field api_proto_f_core_SELinuxOptions[] = {
	API_PROTO_F(1, "user", STR, NONE, NONE),
	API_PROTO_F(2, "role", STR, NONE, NONE),
	API_PROTO_F(3, "type", STR, NONE, NONE),
	API_PROTO_F(4, "level", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_WindowsSecurityContextOptions[] = {
	API_PROTO_F(1, "gmsaCredentialSpecName", STR, KEEP, NONE),
	API_PROTO_F(2, "gmsaCredentialSpec", STR, KEEP, NONE),
	API_PROTO_F(3, "runAsUserName", STR, KEEP, NONE),
	API_PROTO_F(4, "hostProcess", BOOL, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_SeccompProfile[] = {
	API_PROTO_F(1, "type", STR, NONE, NONE),
	API_PROTO_F(2, "localhostProfile", STR, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_AppArmorProfile[] = {
	API_PROTO_F(1, "type", STR, NONE, NONE),
	API_PROTO_F(2, "localhostProfile", STR, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_SecurityContext[] = {
	API_PROTO_F(1, "capabilities", MSG, KEEP, core_Capabilities),
	API_PROTO_F(2, "privileged", BOOL, KEEP, NONE),
	API_PROTO_F(3, "seLinuxOptions", MSG, KEEP, core_SELinuxOptions),
	API_PROTO_F(4, "runAsUser", INT, KEEP, NONE),
	API_PROTO_F(5, "runAsNonRoot", BOOL, KEEP, NONE),
	API_PROTO_F(6, "readOnlyRootFilesystem", BOOL, KEEP, NONE),
	API_PROTO_F(7, "allowPrivilegeEscalation", BOOL, KEEP, NONE),
	API_PROTO_F(8, "runAsGroup", INT, KEEP, NONE),
	API_PROTO_F(9, "procMount", STR, KEEP, NONE),
	API_PROTO_F(10, "windowsOptions", MSG, KEEP, core_WindowsSecurityContextOptions),
	API_PROTO_F(11, "seccompProfile", MSG, KEEP, core_SeccompProfile),
	API_PROTO_F(12, "appArmorProfile", MSG, KEEP, core_AppArmorProfile),
};
static const struct api_proto_field api_proto_f_core_Container[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
	API_PROTO_F(2, "image", STR, NONE, NONE),
	API_PROTO_F(3, "command", STR, REP, NONE),
	API_PROTO_F(4, "args", STR, REP, NONE),
	API_PROTO_F(5, "workingDir", STR, NONE, NONE),
	API_PROTO_F(6, "ports", MSG, REP, core_ContainerPort),
	API_PROTO_F(7, "env", MSG, REP, core_EnvVar),
	API_PROTO_F(8, "resources", MSG, NONE, core_ResourceRequirements),
	API_PROTO_F(9, "volumeMounts", MSG, REP, core_VolumeMount),
	API_PROTO_F(10, "livenessProbe", MSG, KEEP, core_Probe),
	API_PROTO_F(11, "readinessProbe", MSG, KEEP, core_Probe),
	API_PROTO_F(12, "lifecycle", MSG, KEEP, core_Lifecycle),
	API_PROTO_F(13, "terminationMessagePath", STR, NONE, NONE),
	API_PROTO_F(14, "imagePullPolicy", STR, NONE, NONE),
	API_PROTO_F(15, "securityContext", MSG, KEEP, core_SecurityContext),
	API_PROTO_F(16, "stdin", BOOL, NONE, NONE),
	API_PROTO_F(17, "stdinOnce", BOOL, NONE, NONE),
	API_PROTO_F(18, "tty", BOOL, NONE, NONE),
	API_PROTO_F(19, "envFrom", MSG, REP, core_EnvFromSource),
	API_PROTO_F(20, "terminationMessagePolicy", STR, NONE, NONE),
	API_PROTO_F(21, "volumeDevices", MSG, REP, core_VolumeDevice),
	API_PROTO_F(22, "startupProbe", MSG, KEEP, core_Probe),
	API_PROTO_F(23, "resizePolicy", MSG, REP, core_ContainerResizePolicy),
	API_PROTO_F(24, "restartPolicy", STR, KEEP, NONE),
	API_PROTO_F(25, "restartPolicyRules", MSG, REP, core_ContainerRestartRule),
};
static const struct api_proto_field api_proto_f_core_EphemeralContainer[] = {
	/* EphemeralContainerCommon has Container's fields and numbers. */
	API_PROTO_F(1, "", MSG, INLINE, core_Container),
	API_PROTO_F(2, "targetContainerName", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_Sysctl[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
	API_PROTO_F(2, "value", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_PodSecurityContext[] = {
	API_PROTO_F(1, "seLinuxOptions", MSG, KEEP, core_SELinuxOptions),
	API_PROTO_F(2, "runAsUser", INT, KEEP, NONE),
	API_PROTO_F(3, "runAsNonRoot", BOOL, KEEP, NONE),
	API_PROTO_F(4, "supplementalGroups", INT, REP, NONE),
	API_PROTO_F(5, "fsGroup", INT, KEEP, NONE),
	API_PROTO_F(6, "runAsGroup", INT, KEEP, NONE),
	API_PROTO_F(7, "sysctls", MSG, REP, core_Sysctl),
	API_PROTO_F(8, "windowsOptions", MSG, KEEP, core_WindowsSecurityContextOptions),
	API_PROTO_F(9, "fsGroupChangePolicy", STR, KEEP, NONE),
	API_PROTO_F(10, "seccompProfile", MSG, KEEP, core_SeccompProfile),
	API_PROTO_F(11, "appArmorProfile", MSG, KEEP, core_AppArmorProfile),
	API_PROTO_F(12, "supplementalGroupsPolicy", STR, KEEP, NONE),
	API_PROTO_F(13, "seLinuxChangePolicy", STR, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_NodeSelectorRequirement[] = {
	API_PROTO_F(1, "key", STR, NONE, NONE),
	API_PROTO_F(2, "operator", STR, NONE, NONE),
	API_PROTO_F(3, "values", STR, REP, NONE),
};
static const struct api_proto_field api_proto_f_core_NodeSelectorTerm[] = {
	API_PROTO_F(1, "matchExpressions", MSG, REP, core_NodeSelectorRequirement),
	API_PROTO_F(2, "matchFields", MSG, REP, core_NodeSelectorRequirement),
};
static const struct api_proto_field api_proto_f_core_NodeSelector[] = {
	API_PROTO_F(1, "nodeSelectorTerms", MSG, REP, core_NodeSelectorTerm),
};
static const struct api_proto_field api_proto_f_core_PreferredSchedulingTerm[] = {
	API_PROTO_F(1, "weight", INT, NONE, NONE),
	API_PROTO_F(2, "preference", MSG, NONE, core_NodeSelectorTerm),
};
static const struct api_proto_field api_proto_f_core_NodeAffinity[] = {
	API_PROTO_F(1, "requiredDuringSchedulingIgnoredDuringExecution", MSG, KEEP,
		    core_NodeSelector),
	API_PROTO_F(2, "preferredDuringSchedulingIgnoredDuringExecution", MSG, REP,
		    core_PreferredSchedulingTerm),
};
static const struct api_proto_field api_proto_f_core_PodAffinityTerm[] = {
	API_PROTO_F(1, "labelSelector", MSG, KEEP, meta_LabelSelector),
	API_PROTO_F(2, "namespaces", STR, REP, NONE),
	API_PROTO_F(3, "topologyKey", STR, NONE, NONE),
	API_PROTO_F(4, "namespaceSelector", MSG, KEEP, meta_LabelSelector),
	API_PROTO_F(5, "matchLabelKeys", STR, REP, NONE),
	API_PROTO_F(6, "mismatchLabelKeys", STR, REP, NONE),
};
static const struct api_proto_field api_proto_f_core_WeightedPodAffinityTerm[] = {
	API_PROTO_F(1, "weight", INT, NONE, NONE),
	API_PROTO_F(2, "podAffinityTerm", MSG, NONE, core_PodAffinityTerm),
};
static const struct api_proto_field api_proto_f_core_PodAffinity[] = {
	API_PROTO_F(1, "requiredDuringSchedulingIgnoredDuringExecution", MSG, REP,
		    core_PodAffinityTerm),
	API_PROTO_F(2, "preferredDuringSchedulingIgnoredDuringExecution", MSG, REP,
		    core_WeightedPodAffinityTerm),
};
static const struct api_proto_field api_proto_f_core_PodAntiAffinity[] = {
	API_PROTO_F(1, "requiredDuringSchedulingIgnoredDuringExecution", MSG, REP,
		    core_PodAffinityTerm),
	API_PROTO_F(2, "preferredDuringSchedulingIgnoredDuringExecution", MSG, REP,
		    core_WeightedPodAffinityTerm),
};
static const struct api_proto_field api_proto_f_core_Affinity[] = {
	API_PROTO_F(1, "nodeAffinity", MSG, KEEP, core_NodeAffinity),
	API_PROTO_F(2, "podAffinity", MSG, KEEP, core_PodAffinity),
	API_PROTO_F(3, "podAntiAffinity", MSG, KEEP, core_PodAntiAffinity),
};
static const struct api_proto_field api_proto_f_core_Toleration[] = {
	API_PROTO_F(1, "key", STR, NONE, NONE),
	API_PROTO_F(2, "operator", STR, NONE, NONE),
	API_PROTO_F(3, "value", STR, NONE, NONE),
	API_PROTO_F(4, "effect", STR, NONE, NONE),
	API_PROTO_F(5, "tolerationSeconds", INT, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_HostAlias[] = {
	API_PROTO_F(1, "ip", STR, NONE, NONE),
	API_PROTO_F(2, "hostnames", STR, REP, NONE),
};
static const struct api_proto_field api_proto_f_core_PodDNSConfigOption[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
	API_PROTO_F(2, "value", STR, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_PodDNSConfig[] = {
	API_PROTO_F(1, "nameservers", STR, REP, NONE),
	API_PROTO_F(2, "searches", STR, REP, NONE),
	API_PROTO_F(3, "options", MSG, REP, core_PodDNSConfigOption),
};
static const struct api_proto_field api_proto_f_core_PodReadinessGate[] = {
	API_PROTO_F(1, "conditionType", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_TopologySpreadConstraint[] = {
	API_PROTO_F(1, "maxSkew", INT, NONE, NONE),
	API_PROTO_F(2, "topologyKey", STR, NONE, NONE),
	API_PROTO_F(3, "whenUnsatisfiable", STR, NONE, NONE),
	API_PROTO_F(4, "labelSelector", MSG, KEEP, meta_LabelSelector),
	API_PROTO_F(5, "minDomains", INT, KEEP, NONE),
	API_PROTO_F(6, "nodeAffinityPolicy", STR, KEEP, NONE),
	API_PROTO_F(7, "nodeTaintsPolicy", STR, KEEP, NONE),
	API_PROTO_F(8, "matchLabelKeys", STR, REP, NONE),
};
static const struct api_proto_field api_proto_f_core_PodOS[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_PodSchedulingGate[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_PodResourceClaim[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
	API_PROTO_F(3, "resourceClaimName", STR, KEEP, NONE),
	API_PROTO_F(4, "resourceClaimTemplateName", STR, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_PodSchedulingGroup[] = {
	API_PROTO_F(1, "podGroupName", STR, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_EvictionResponder[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
	API_PROTO_F(2, "priority", INT, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_PodSpec[] = {
	API_PROTO_F(1, "volumes", MSG, REP, core_Volume),
	API_PROTO_F(2, "containers", MSG, REP, core_Container),
	API_PROTO_F(3, "restartPolicy", STR, NONE, NONE),
	API_PROTO_F(4, "terminationGracePeriodSeconds", INT, KEEP, NONE),
	API_PROTO_F(5, "activeDeadlineSeconds", INT, KEEP, NONE),
	API_PROTO_F(6, "dnsPolicy", STR, NONE, NONE),
	API_PROTO_F(7, "nodeSelector", STR, MAP, NONE),
	API_PROTO_F(8, "serviceAccountName", STR, NONE, NONE),
	API_PROTO_F(9, "serviceAccount", STR, NONE, NONE),
	API_PROTO_F(10, "nodeName", STR, NONE, NONE),
	API_PROTO_F(11, "hostNetwork", BOOL, NONE, NONE),
	API_PROTO_F(12, "hostPID", BOOL, NONE, NONE),
	API_PROTO_F(13, "hostIPC", BOOL, NONE, NONE),
	API_PROTO_F(14, "securityContext", MSG, KEEP, core_PodSecurityContext),
	API_PROTO_F(15, "imagePullSecrets", MSG, REP, core_LocalObjectReference),
	API_PROTO_F(16, "hostname", STR, NONE, NONE),
	API_PROTO_F(17, "subdomain", STR, NONE, NONE),
	API_PROTO_F(18, "affinity", MSG, KEEP, core_Affinity),
	API_PROTO_F(19, "schedulerName", STR, NONE, NONE),
	API_PROTO_F(20, "initContainers", MSG, REP, core_Container),
	API_PROTO_F(21, "automountServiceAccountToken", BOOL, KEEP, NONE),
	API_PROTO_F(22, "tolerations", MSG, REP, core_Toleration),
	API_PROTO_F(23, "hostAliases", MSG, REP, core_HostAlias),
	API_PROTO_F(24, "priorityClassName", STR, NONE, NONE),
	API_PROTO_F(25, "priority", INT, KEEP, NONE),
	API_PROTO_F(26, "dnsConfig", MSG, KEEP, core_PodDNSConfig),
	API_PROTO_F(27, "shareProcessNamespace", BOOL, KEEP, NONE),
	API_PROTO_F(28, "readinessGates", MSG, REP, core_PodReadinessGate),
	API_PROTO_F(29, "runtimeClassName", STR, KEEP, NONE),
	API_PROTO_F(30, "enableServiceLinks", BOOL, KEEP, NONE),
	API_PROTO_F(31, "preemptionPolicy", STR, KEEP, NONE),
	API_PROTO_F(32, "overhead", QTY, MAP, NONE),
	API_PROTO_F(33, "topologySpreadConstraints", MSG, REP, core_TopologySpreadConstraint),
	API_PROTO_F(34, "ephemeralContainers", MSG, REP, core_EphemeralContainer),
	API_PROTO_F(35, "setHostnameAsFQDN", BOOL, KEEP, NONE),
	API_PROTO_F(36, "os", MSG, KEEP, core_PodOS),
	API_PROTO_F(37, "hostUsers", BOOL, KEEP, NONE),
	API_PROTO_F(38, "schedulingGates", MSG, REP, core_PodSchedulingGate),
	API_PROTO_F(39, "resourceClaims", MSG, REP, core_PodResourceClaim),
	API_PROTO_F(40, "resources", MSG, KEEP, core_ResourceRequirements),
	API_PROTO_F(41, "hostnameOverride", STR, KEEP, NONE),
	API_PROTO_F(43, "schedulingGroup", MSG, KEEP, core_PodSchedulingGroup),
	API_PROTO_F(44, "evictionResponders", MSG, REP, core_EvictionResponder),
};
static const struct api_proto_field api_proto_f_core_PodCondition[] = {
	API_PROTO_F(1, "type", STR, NONE, NONE),
	API_PROTO_F(2, "status", STR, NONE, NONE),
	API_PROTO_F(3, "lastProbeTime", TIME, NONE, NONE),
	API_PROTO_F(4, "lastTransitionTime", TIME, NONE, NONE),
	API_PROTO_F(5, "reason", STR, NONE, NONE),
	API_PROTO_F(6, "message", STR, NONE, NONE),
	API_PROTO_F(7, "observedGeneration", INT, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_HostIP[] = {
	API_PROTO_F(1, "ip", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_PodIP[] = {
	API_PROTO_F(1, "ip", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_ContainerStateWaiting[] = {
	API_PROTO_F(1, "reason", STR, NONE, NONE),
	API_PROTO_F(2, "message", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_ContainerStateRunning[] = {
	API_PROTO_F(1, "startedAt", TIME, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_ContainerStateTerminated[] = {
	API_PROTO_F(1, "exitCode", INT, NONE, NONE),
	API_PROTO_F(2, "signal", INT, NONE, NONE),
	API_PROTO_F(3, "reason", STR, NONE, NONE),
	API_PROTO_F(4, "message", STR, NONE, NONE),
	API_PROTO_F(5, "startedAt", TIME, NONE, NONE),
	API_PROTO_F(6, "finishedAt", TIME, NONE, NONE),
	API_PROTO_F(7, "containerID", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_ContainerState[] = {
	API_PROTO_F(1, "waiting", MSG, KEEP, core_ContainerStateWaiting),
	API_PROTO_F(2, "running", MSG, KEEP, core_ContainerStateRunning),
	API_PROTO_F(3, "terminated", MSG, KEEP, core_ContainerStateTerminated),
};
static const struct api_proto_field api_proto_f_core_ImageVolumeStatus[] = {
	API_PROTO_F(1, "imageRef", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_VolumeStatus[] = {
	API_PROTO_F(1, "image", MSG, KEEP, core_ImageVolumeStatus),
};
static const struct api_proto_field api_proto_f_core_VolumeMountStatus[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
	API_PROTO_F(2, "mountPath", STR, NONE, NONE),
	API_PROTO_F(3, "readOnly", BOOL, NONE, NONE),
	API_PROTO_F(4, "recursiveReadOnly", STR, KEEP, NONE),
	API_PROTO_F(5, "volumeStatus", MSG, KEEP, core_VolumeStatus),
};
static const struct api_proto_field api_proto_f_core_LinuxContainerUser[] = {
	API_PROTO_F(1, "uid", INT, NONE, NONE),
	API_PROTO_F(2, "gid", INT, NONE, NONE),
	API_PROTO_F(3, "supplementalGroups", INT, REP, NONE),
};
static const struct api_proto_field api_proto_f_core_ContainerUser[] = {
	API_PROTO_F(1, "linux", MSG, KEEP, core_LinuxContainerUser),
};
static const struct api_proto_field api_proto_f_core_ResourceHealth[] = {
	API_PROTO_F(1, "resourceID", STR, NONE, NONE),
	API_PROTO_F(2, "health", STR, NONE, NONE),
	API_PROTO_F(6, "message", STR, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_ResourceStatus[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
	API_PROTO_F(2, "resources", MSG, REP, core_ResourceHealth),
};
static const struct api_proto_field api_proto_f_core_ContainerStatus[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
	API_PROTO_F(2, "state", MSG, NONE, core_ContainerState),
	API_PROTO_F(3, "lastState", MSG, NONE, core_ContainerState),
	API_PROTO_F(4, "ready", BOOL, NONE, NONE),
	API_PROTO_F(5, "restartCount", INT, NONE, NONE),
	API_PROTO_F(6, "image", STR, NONE, NONE),
	API_PROTO_F(7, "imageID", STR, NONE, NONE),
	API_PROTO_F(8, "containerID", STR, NONE, NONE),
	API_PROTO_F(9, "started", BOOL, KEEP, NONE),
	API_PROTO_F(10, "allocatedResources", QTY, MAP, NONE),
	API_PROTO_F(11, "resources", MSG, KEEP, core_ResourceRequirements),
	API_PROTO_F(12, "volumeMounts", MSG, REP, core_VolumeMountStatus),
	API_PROTO_F(13, "user", MSG, KEEP, core_ContainerUser),
	API_PROTO_F(14, "allocatedResourcesStatus", MSG, REP, core_ResourceStatus),
	API_PROTO_F(15, "stopSignal", STR, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_PodResourceClaimStatus[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
	API_PROTO_F(2, "resourceClaimName", STR, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_ContainerExtendedResourceRequest[] = {
	API_PROTO_F(1, "containerName", STR, NONE, NONE),
	API_PROTO_F(2, "resourceName", STR, NONE, NONE),
	API_PROTO_F(3, "requestName", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_PodExtendedResourceClaimStatus[] = {
	API_PROTO_F(1, "requestMappings", MSG, REP, core_ContainerExtendedResourceRequest),
	API_PROTO_F(2, "resourceClaimName", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_NodeAllocatableMappedResources[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
	API_PROTO_F(2, "quantity", QTY, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_NodeAllocatableOverheadResources[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
	API_PROTO_F(2, "perPod", QTY, KEEP, NONE),
	API_PROTO_F(3, "perContainer", QTY, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_NodeAllocatableResourceClaimStatus[] = {
	API_PROTO_F(1, "resourceClaimName", STR, NONE, NONE),
	API_PROTO_F(2, "containers", STR, REP, NONE),
	API_PROTO_F(4, "mapping", MSG, REP, core_NodeAllocatableMappedResources),
	API_PROTO_F(5, "overhead", MSG, REP, core_NodeAllocatableOverheadResources),
};
static const struct api_proto_field api_proto_f_core_VolumeHealthCondition[] = {
	API_PROTO_F(1, "status", STR, NONE, NONE),
	API_PROTO_F(2, "reason", STR, NONE, NONE),
	API_PROTO_F(3, "message", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_PodVolumeHealth[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
	API_PROTO_F(2, "healthConditions", MSG, REP, core_VolumeHealthCondition),
	API_PROTO_F(3, "lastTransitionTime", TIME, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_PodStatus[] = {
	API_PROTO_F(1, "phase", STR, NONE, NONE),
	API_PROTO_F(2, "conditions", MSG, REP, core_PodCondition),
	API_PROTO_F(3, "message", STR, NONE, NONE),
	API_PROTO_F(4, "reason", STR, NONE, NONE),
	API_PROTO_F(5, "hostIP", STR, NONE, NONE),
	API_PROTO_F(6, "podIP", STR, NONE, NONE),
	API_PROTO_F(7, "startTime", TIME, KEEP, NONE),
	API_PROTO_F(8, "containerStatuses", MSG, REP, core_ContainerStatus),
	API_PROTO_F(9, "qosClass", STR, NONE, NONE),
	API_PROTO_F(10, "initContainerStatuses", MSG, REP, core_ContainerStatus),
	API_PROTO_F(11, "nominatedNodeName", STR, NONE, NONE),
	API_PROTO_F(12, "podIPs", MSG, REP, core_PodIP),
	API_PROTO_F(13, "ephemeralContainerStatuses", MSG, REP, core_ContainerStatus),
	API_PROTO_F(14, "resize", STR, NONE, NONE),
	API_PROTO_F(15, "resourceClaimStatuses", MSG, REP, core_PodResourceClaimStatus),
	API_PROTO_F(16, "hostIPs", MSG, REP, core_HostIP),
	API_PROTO_F(17, "observedGeneration", INT, NONE, NONE),
	API_PROTO_F(18, "extendedResourceClaimStatus", MSG, KEEP,
		    core_PodExtendedResourceClaimStatus),
	API_PROTO_F(19, "allocatedResources", QTY, MAP, NONE),
	API_PROTO_F(20, "resources", MSG, KEEP, core_ResourceRequirements),
	API_PROTO_F(21, "nodeAllocatableResourceClaimStatuses", MSG, REP,
		    core_NodeAllocatableResourceClaimStatus),
	API_PROTO_F(22, "volumeHealth", MSG, REP, core_PodVolumeHealth),
};
static const struct api_proto_field api_proto_f_core_Pod[] = {
	API_PROTO_F(1, "metadata", MSG, NONE, meta_ObjectMeta),
	API_PROTO_F(2, "spec", MSG, NONE, core_PodSpec),
	API_PROTO_F(3, "status", MSG, NONE, core_PodStatus),
};
static const struct api_proto_field api_proto_f_core_EndpointAddress[] = {
	API_PROTO_F(1, "ip", STR, NONE, NONE),
	API_PROTO_F(2, "targetRef", MSG, KEEP, core_ObjectReference),
	API_PROTO_F(3, "hostname", STR, NONE, NONE),
	API_PROTO_F(4, "nodeName", STR, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_EndpointPort[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
	API_PROTO_F(2, "port", INT, NONE, NONE),
	API_PROTO_F(3, "protocol", STR, NONE, NONE),
	API_PROTO_F(4, "appProtocol", STR, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_EndpointSubset[] = {
	API_PROTO_F(1, "addresses", MSG, REP, core_EndpointAddress),
	API_PROTO_F(2, "notReadyAddresses", MSG, REP, core_EndpointAddress),
	API_PROTO_F(3, "ports", MSG, REP, core_EndpointPort),
};
static const struct api_proto_field api_proto_f_core_Endpoints[] = {
	API_PROTO_F(1, "metadata", MSG, NONE, meta_ObjectMeta),
	API_PROTO_F(2, "subsets", MSG, REP, core_EndpointSubset),
};
static const struct api_proto_field api_proto_f_core_EventSource[] = {
	API_PROTO_F(1, "component", STR, NONE, NONE),
	API_PROTO_F(2, "host", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_EventSeries[] = {
	API_PROTO_F(1, "count", INT, NONE, NONE),
	API_PROTO_F(2, "lastObservedTime", MTIME, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_Event[] = {
	API_PROTO_F(1, "metadata", MSG, NONE, meta_ObjectMeta),
	API_PROTO_F(2, "involvedObject", MSG, NONE, core_ObjectReference),
	API_PROTO_F(3, "reason", STR, NONE, NONE),
	API_PROTO_F(4, "message", STR, NONE, NONE),
	API_PROTO_F(5, "source", MSG, NONE, core_EventSource),
	API_PROTO_F(6, "firstTimestamp", TIME, NONE, NONE),
	API_PROTO_F(7, "lastTimestamp", TIME, NONE, NONE),
	API_PROTO_F(8, "count", INT, NONE, NONE),
	API_PROTO_F(9, "type", STR, NONE, NONE),
	API_PROTO_F(10, "eventTime", MTIME, NONE, NONE),
	API_PROTO_F(11, "series", MSG, KEEP, core_EventSeries),
	API_PROTO_F(12, "action", STR, NONE, NONE),
	API_PROTO_F(13, "related", MSG, KEEP, core_ObjectReference),
	API_PROTO_F(14, "reportingComponent", STR, NONE, NONE),
	API_PROTO_F(15, "reportingInstance", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_Taint[] = {
	API_PROTO_F(1, "key", STR, NONE, NONE),
	API_PROTO_F(2, "value", STR, NONE, NONE),
	API_PROTO_F(3, "effect", STR, NONE, NONE),
	API_PROTO_F(4, "timeAdded", TIME, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_ConfigMapNodeConfigSource[] = {
	API_PROTO_F(1, "namespace", STR, NONE, NONE),
	API_PROTO_F(2, "name", STR, NONE, NONE),
	API_PROTO_F(3, "uid", STR, NONE, NONE),
	API_PROTO_F(4, "resourceVersion", STR, NONE, NONE),
	API_PROTO_F(5, "kubeletConfigKey", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_NodeConfigSource[] = {
	API_PROTO_F(2, "configMap", MSG, KEEP, core_ConfigMapNodeConfigSource),
};
static const struct api_proto_field api_proto_f_core_NodePodPreemptionPolicy[] = {
	API_PROTO_F(1, "disableResizePreemption", STR, REP, NONE),
};
static const struct api_proto_field api_proto_f_core_NodeSpec[] = {
	API_PROTO_F(1, "podCIDR", STR, NONE, NONE),
	API_PROTO_F(2, "externalID", STR, NONE, NONE),
	API_PROTO_F(3, "providerID", STR, NONE, NONE),
	API_PROTO_F(4, "unschedulable", BOOL, NONE, NONE),
	API_PROTO_F(5, "taints", MSG, REP, core_Taint),
	API_PROTO_F(6, "configSource", MSG, KEEP, core_NodeConfigSource),
	API_PROTO_F(7, "podCIDRs", STR, REP, NONE),
	API_PROTO_F(8, "podPreemptionPolicy", MSG, KEEP, core_NodePodPreemptionPolicy),
};
static const struct api_proto_field api_proto_f_core_NodeCondition[] = {
	API_PROTO_F(1, "type", STR, NONE, NONE),
	API_PROTO_F(2, "status", STR, NONE, NONE),
	API_PROTO_F(3, "lastHeartbeatTime", TIME, NONE, NONE),
	API_PROTO_F(4, "lastTransitionTime", TIME, NONE, NONE),
	API_PROTO_F(5, "reason", STR, NONE, NONE),
	API_PROTO_F(6, "message", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_NodeAddress[] = {
	API_PROTO_F(1, "type", STR, NONE, NONE),
	API_PROTO_F(2, "address", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_DaemonEndpoint[] = {
	API_PROTO_F(1, "Port", INT, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_NodeDaemonEndpoints[] = {
	API_PROTO_F(1, "kubeletEndpoint", MSG, NONE, core_DaemonEndpoint),
};
static const struct api_proto_field api_proto_f_core_NodeSwapStatus[] = {
	API_PROTO_F(1, "capacity", INT, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_NodeSystemInfo[] = {
	API_PROTO_F(1, "machineID", STR, NONE, NONE),
	API_PROTO_F(2, "systemUUID", STR, NONE, NONE),
	API_PROTO_F(3, "bootID", STR, NONE, NONE),
	API_PROTO_F(4, "kernelVersion", STR, NONE, NONE),
	API_PROTO_F(5, "osImage", STR, NONE, NONE),
	API_PROTO_F(6, "containerRuntimeVersion", STR, NONE, NONE),
	API_PROTO_F(7, "kubeletVersion", STR, NONE, NONE),
	API_PROTO_F(8, "kubeProxyVersion", STR, NONE, NONE),
	API_PROTO_F(9, "operatingSystem", STR, NONE, NONE),
	API_PROTO_F(10, "architecture", STR, NONE, NONE),
	API_PROTO_F(11, "swap", MSG, KEEP, core_NodeSwapStatus),
};
static const struct api_proto_field api_proto_f_core_ContainerImage[] = {
	API_PROTO_F(1, "names", STR, REP, NONE),
	API_PROTO_F(2, "sizeBytes", INT, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_AttachedVolume[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
	API_PROTO_F(2, "devicePath", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_NodeConfigStatus[] = {
	API_PROTO_F(1, "assigned", MSG, KEEP, core_NodeConfigSource),
	API_PROTO_F(2, "active", MSG, KEEP, core_NodeConfigSource),
	API_PROTO_F(3, "lastKnownGood", MSG, KEEP, core_NodeConfigSource),
	API_PROTO_F(4, "error", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_core_NodeRuntimeHandlerFeatures[] = {
	API_PROTO_F(1, "recursiveReadOnlyMounts", BOOL, KEEP, NONE),
	API_PROTO_F(2, "userNamespaces", BOOL, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_NodeRuntimeHandler[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
	API_PROTO_F(2, "features", MSG, KEEP, core_NodeRuntimeHandlerFeatures),
};
static const struct api_proto_field api_proto_f_core_NodeFeatures[] = {
	API_PROTO_F(1, "supplementalGroupsPolicy", BOOL, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_core_NodeStatus[] = {
	API_PROTO_F(1, "capacity", QTY, MAP, NONE),
	API_PROTO_F(2, "allocatable", QTY, MAP, NONE),
	API_PROTO_F(3, "phase", STR, NONE, NONE),
	API_PROTO_F(4, "conditions", MSG, REP, core_NodeCondition),
	API_PROTO_F(5, "addresses", MSG, REP, core_NodeAddress),
	API_PROTO_F(6, "daemonEndpoints", MSG, NONE, core_NodeDaemonEndpoints),
	API_PROTO_F(7, "nodeInfo", MSG, NONE, core_NodeSystemInfo),
	API_PROTO_F(8, "images", MSG, REP, core_ContainerImage),
	API_PROTO_F(9, "volumesInUse", STR, REP, NONE),
	API_PROTO_F(10, "volumesAttached", MSG, REP, core_AttachedVolume),
	API_PROTO_F(11, "config", MSG, KEEP, core_NodeConfigStatus),
	API_PROTO_F(12, "runtimeHandlers", MSG, REP, core_NodeRuntimeHandler),
	API_PROTO_F(13, "features", MSG, KEEP, core_NodeFeatures),
	API_PROTO_F(14, "declaredFeatures", STR, REP, NONE),
};
static const struct api_proto_field api_proto_f_core_Node[] = {
	API_PROTO_F(1, "metadata", MSG, NONE, meta_ObjectMeta),
	API_PROTO_F(2, "spec", MSG, NONE, core_NodeSpec),
	API_PROTO_F(3, "status", MSG, NONE, core_NodeStatus),
};
static const struct api_proto_field api_proto_f_core_PodTemplateSpec[] = {
	API_PROTO_F(1, "metadata", MSG, NONE, meta_ObjectMeta),
	API_PROTO_F(2, "spec", MSG, NONE, core_PodSpec),
};
static const struct api_proto_field api_proto_f_apps_RollingUpdateDeployment[] = {
	API_PROTO_F(1, "maxUnavailable", IOS, KEEP, NONE),
	API_PROTO_F(2, "maxSurge", IOS, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_apps_DeploymentStrategy[] = {
	API_PROTO_F(1, "type", STR, NONE, NONE),
	API_PROTO_F(2, "rollingUpdate", MSG, KEEP, apps_RollingUpdateDeployment),
};
static const struct api_proto_field api_proto_f_apps_DeploymentSpec[] = {
	API_PROTO_F(1, "replicas", INT, KEEP, NONE),
	API_PROTO_F(2, "selector", MSG, KEEP, meta_LabelSelector),
	API_PROTO_F(3, "template", MSG, NONE, core_PodTemplateSpec),
	API_PROTO_F(4, "strategy", MSG, NONE, apps_DeploymentStrategy),
	API_PROTO_F(5, "minReadySeconds", INT, NONE, NONE),
	API_PROTO_F(6, "revisionHistoryLimit", INT, KEEP, NONE),
	API_PROTO_F(7, "paused", BOOL, NONE, NONE),
	API_PROTO_F(9, "progressDeadlineSeconds", INT, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_apps_DeploymentCondition[] = {
	API_PROTO_F(1, "type", STR, NONE, NONE),
	API_PROTO_F(2, "status", STR, NONE, NONE),
	API_PROTO_F(4, "reason", STR, NONE, NONE),
	API_PROTO_F(5, "message", STR, NONE, NONE),
	API_PROTO_F(6, "lastUpdateTime", TIME, NONE, NONE),
	API_PROTO_F(7, "lastTransitionTime", TIME, NONE, NONE),
};
static const struct api_proto_field api_proto_f_apps_DeploymentStatus[] = {
	API_PROTO_F(1, "observedGeneration", INT, NONE, NONE),
	API_PROTO_F(2, "replicas", INT, NONE, NONE),
	API_PROTO_F(3, "updatedReplicas", INT, NONE, NONE),
	API_PROTO_F(4, "availableReplicas", INT, NONE, NONE),
	API_PROTO_F(5, "unavailableReplicas", INT, NONE, NONE),
	API_PROTO_F(6, "conditions", MSG, REP, apps_DeploymentCondition),
	API_PROTO_F(7, "readyReplicas", INT, NONE, NONE),
	API_PROTO_F(8, "collisionCount", INT, KEEP, NONE),
	API_PROTO_F(9, "terminatingReplicas", INT, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_apps_Deployment[] = {
	API_PROTO_F(1, "metadata", MSG, NONE, meta_ObjectMeta),
	API_PROTO_F(2, "spec", MSG, NONE, apps_DeploymentSpec),
	API_PROTO_F(3, "status", MSG, NONE, apps_DeploymentStatus),
};
static const struct api_proto_field api_proto_f_apps_ReplicaSetSpec[] = {
	API_PROTO_F(1, "replicas", INT, KEEP, NONE),
	API_PROTO_F(2, "selector", MSG, KEEP, meta_LabelSelector),
	API_PROTO_F(3, "template", MSG, NONE, core_PodTemplateSpec),
	API_PROTO_F(4, "minReadySeconds", INT, NONE, NONE),
};
static const struct api_proto_field api_proto_f_apps_ReplicaSetCondition[] = {
	API_PROTO_F(1, "type", STR, NONE, NONE),
	API_PROTO_F(2, "status", STR, NONE, NONE),
	API_PROTO_F(3, "lastTransitionTime", TIME, NONE, NONE),
	API_PROTO_F(4, "reason", STR, NONE, NONE),
	API_PROTO_F(5, "message", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_apps_ReplicaSetStatus[] = {
	API_PROTO_F(1, "replicas", INT, NONE, NONE),
	API_PROTO_F(2, "fullyLabeledReplicas", INT, NONE, NONE),
	API_PROTO_F(3, "observedGeneration", INT, NONE, NONE),
	API_PROTO_F(4, "readyReplicas", INT, NONE, NONE),
	API_PROTO_F(5, "availableReplicas", INT, NONE, NONE),
	API_PROTO_F(6, "conditions", MSG, REP, apps_ReplicaSetCondition),
	API_PROTO_F(7, "terminatingReplicas", INT, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_apps_ReplicaSet[] = {
	API_PROTO_F(1, "metadata", MSG, NONE, meta_ObjectMeta),
	API_PROTO_F(2, "spec", MSG, NONE, apps_ReplicaSetSpec),
	API_PROTO_F(3, "status", MSG, NONE, apps_ReplicaSetStatus),
};
static const struct api_proto_field api_proto_f_disc_EndpointConditions[] = {
	API_PROTO_F(1, "ready", BOOL, KEEP, NONE),
	API_PROTO_F(2, "serving", BOOL, KEEP, NONE),
	API_PROTO_F(3, "terminating", BOOL, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_disc_ForZone[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_disc_ForNode[] = {
	API_PROTO_F(1, "name", STR, NONE, NONE),
};
static const struct api_proto_field api_proto_f_disc_EndpointHints[] = {
	API_PROTO_F(1, "forZones", MSG, REP, disc_ForZone),
	API_PROTO_F(2, "forNodes", MSG, REP, disc_ForNode),
};
static const struct api_proto_field api_proto_f_disc_Endpoint[] = {
	API_PROTO_F(1, "addresses", STR, REP, NONE),
	API_PROTO_F(2, "conditions", MSG, NONE, disc_EndpointConditions),
	API_PROTO_F(3, "hostname", STR, KEEP, NONE),
	API_PROTO_F(4, "targetRef", MSG, KEEP, core_ObjectReference),
	API_PROTO_F(5, "deprecatedTopology", STR, MAP, NONE),
	API_PROTO_F(6, "nodeName", STR, KEEP, NONE),
	API_PROTO_F(7, "zone", STR, KEEP, NONE),
	API_PROTO_F(8, "hints", MSG, KEEP, disc_EndpointHints),
};
static const struct api_proto_field api_proto_f_disc_EndpointPort[] = {
	API_PROTO_F(1, "name", STR, KEEP, NONE),
	API_PROTO_F(2, "protocol", STR, KEEP, NONE),
	API_PROTO_F(3, "port", INT, KEEP, NONE),
	API_PROTO_F(4, "appProtocol", STR, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_disc_EndpointSlice[] = {
	API_PROTO_F(1, "metadata", MSG, NONE, meta_ObjectMeta),
	API_PROTO_F(2, "endpoints", MSG, REP, disc_Endpoint),
	API_PROTO_F(3, "ports", MSG, REP, disc_EndpointPort),
	API_PROTO_F(4, "addressType", STR, NONE, NONE),
};

/* Every field of LeaseSpec is a pointer: an unheld lease's empty holder
 * is kept. */
static const struct api_proto_field api_proto_f_coord_LeaseSpec[] = {
	API_PROTO_F(1, "holderIdentity", STR, KEEP, NONE),
	API_PROTO_F(2, "leaseDurationSeconds", INT, KEEP, NONE),
	API_PROTO_F(3, "acquireTime", MTIME, KEEP, NONE),
	API_PROTO_F(4, "renewTime", MTIME, KEEP, NONE),
	API_PROTO_F(5, "leaseTransitions", INT, KEEP, NONE),
	API_PROTO_F(6, "strategy", STR, KEEP, NONE),
	API_PROTO_F(7, "preferredHolder", STR, KEEP, NONE),
};
static const struct api_proto_field api_proto_f_coord_Lease[] = {
	API_PROTO_F(1, "metadata", MSG, NONE, meta_ObjectMeta),
	API_PROTO_F(2, "spec", MSG, NONE, coord_LeaseSpec),
};

const struct api_proto_msg api_proto_msgs[API_PROTO_M_COUNT] = {
	API_PROTO_DEF(meta, OwnerReference),
	API_PROTO_DEF(meta, ManagedFieldsEntry),
	API_PROTO_DEF(meta, ObjectMeta),
	API_PROTO_DEF(core, NamespaceSpec),
	API_PROTO_DEF(core, NamespaceCondition),
	API_PROTO_DEF(core, NamespaceStatus),
	API_PROTO_DEF(core, Namespace),
	API_PROTO_DEF(core, ConfigMap),
	API_PROTO_DEF(core, Secret),
	API_PROTO_DEF(core, ObjectReference),
	API_PROTO_DEF(core, LocalObjectReference),
	API_PROTO_DEF(core, ServiceAccount),
	API_PROTO_DEF(core, ServicePort),
	API_PROTO_DEF(core, ClientIPConfig),
	API_PROTO_DEF(core, SessionAffinityConfig),
	API_PROTO_DEF(core, ServiceSpec),
	API_PROTO_DEF(core, PortStatus),
	API_PROTO_DEF(core, LoadBalancerIngress),
	API_PROTO_DEF(core, LoadBalancerStatus),
	API_PROTO_DEF(meta, Condition),
	API_PROTO_DEF(core, ServiceStatus),
	API_PROTO_DEF(core, Service),
	API_PROTO_DEF(core, HostPathVolumeSource),
	API_PROTO_DEF(core, EmptyDirVolumeSource),
	API_PROTO_DEF(core, GCEPersistentDiskVolumeSource),
	API_PROTO_DEF(core, AWSElasticBlockStoreVolumeSource),
	API_PROTO_DEF(core, GitRepoVolumeSource),
	API_PROTO_DEF(core, KeyToPath),
	API_PROTO_DEF(core, SecretVolumeSource),
	API_PROTO_DEF(core, NFSVolumeSource),
	API_PROTO_DEF(core, ISCSIVolumeSource),
	API_PROTO_DEF(core, GlusterfsVolumeSource),
	API_PROTO_DEF(core, PersistentVolumeClaimVolumeSource),
	API_PROTO_DEF(core, RBDVolumeSource),
	API_PROTO_DEF(core, FlexVolumeSource),
	API_PROTO_DEF(core, CinderVolumeSource),
	API_PROTO_DEF(core, CephFSVolumeSource),
	API_PROTO_DEF(core, FlockerVolumeSource),
	API_PROTO_DEF(core, ObjectFieldSelector),
	API_PROTO_DEF(core, ResourceFieldSelector),
	API_PROTO_DEF(core, DownwardAPIVolumeFile),
	API_PROTO_DEF(core, DownwardAPIVolumeSource),
	API_PROTO_DEF(core, FCVolumeSource),
	API_PROTO_DEF(core, AzureFileVolumeSource),
	API_PROTO_DEF(core, ConfigMapVolumeSource),
	API_PROTO_DEF(core, VsphereVirtualDiskVolumeSource),
	API_PROTO_DEF(core, QuobyteVolumeSource),
	API_PROTO_DEF(core, AzureDiskVolumeSource),
	API_PROTO_DEF(core, PhotonPersistentDiskVolumeSource),
	API_PROTO_DEF(core, SecretProjection),
	API_PROTO_DEF(core, DownwardAPIProjection),
	API_PROTO_DEF(core, ConfigMapProjection),
	API_PROTO_DEF(core, ServiceAccountTokenProjection),
	API_PROTO_DEF(meta, LabelSelectorRequirement),
	API_PROTO_DEF(meta, LabelSelector),
	API_PROTO_DEF(core, ClusterTrustBundleProjection),
	API_PROTO_DEF(core, PodCertificateProjection),
	API_PROTO_DEF(core, VolumeProjection),
	API_PROTO_DEF(core, ProjectedVolumeSource),
	API_PROTO_DEF(core, PortworxVolumeSource),
	API_PROTO_DEF(core, ScaleIOVolumeSource),
	API_PROTO_DEF(core, StorageOSVolumeSource),
	API_PROTO_DEF(core, CSIVolumeSource),
	API_PROTO_DEF(core, VolumeResourceRequirements),
	API_PROTO_DEF(core, TypedLocalObjectReference),
	API_PROTO_DEF(core, TypedObjectReference),
	API_PROTO_DEF(core, PersistentVolumeClaimSpec),
	API_PROTO_DEF(core, PersistentVolumeClaimTemplate),
	API_PROTO_DEF(core, EphemeralVolumeSource),
	API_PROTO_DEF(core, ImageVolumeSource),
	API_PROTO_DEF(core, VolumeSource),
	API_PROTO_DEF(core, Volume),
	API_PROTO_DEF(core, ContainerPort),
	API_PROTO_DEF(core, ConfigMapEnvSource),
	API_PROTO_DEF(core, SecretEnvSource),
	API_PROTO_DEF(core, EnvFromSource),
	API_PROTO_DEF(core, ConfigMapKeySelector),
	API_PROTO_DEF(core, SecretKeySelector),
	API_PROTO_DEF(core, FileKeySelector),
	API_PROTO_DEF(core, EnvVarSource),
	API_PROTO_DEF(core, EnvVar),
	API_PROTO_DEF(core, ResourceClaim),
	API_PROTO_DEF(core, ResourceRequirements),
	API_PROTO_DEF(core, ContainerResizePolicy),
	API_PROTO_DEF(core, ContainerRestartRuleOnExitCodes),
	API_PROTO_DEF(core, ContainerRestartRule),
	API_PROTO_DEF(core, VolumeMount),
	API_PROTO_DEF(core, VolumeDevice),
	API_PROTO_DEF(core, ExecAction),
	API_PROTO_DEF(core, HTTPHeader),
	API_PROTO_DEF(core, HTTPGetAction),
	API_PROTO_DEF(core, TCPSocketAction),
	API_PROTO_DEF(core, GRPCAction),
	API_PROTO_DEF(core, ProbeHandler),
	API_PROTO_DEF(core, Probe),
	API_PROTO_DEF(core, SleepAction),
	API_PROTO_DEF(core, LifecycleHandler),
	API_PROTO_DEF(core, Lifecycle),
	API_PROTO_DEF(core, Capabilities),
	API_PROTO_DEF(core, SELinuxOptions),
	API_PROTO_DEF(core, WindowsSecurityContextOptions),
	API_PROTO_DEF(core, SeccompProfile),
	API_PROTO_DEF(core, AppArmorProfile),
	API_PROTO_DEF(core, SecurityContext),
	API_PROTO_DEF(core, Container),
	API_PROTO_DEF(core, EphemeralContainer),
	API_PROTO_DEF(core, Sysctl),
	API_PROTO_DEF(core, PodSecurityContext),
	API_PROTO_DEF(core, NodeSelectorRequirement),
	API_PROTO_DEF(core, NodeSelectorTerm),
	API_PROTO_DEF(core, NodeSelector),
	API_PROTO_DEF(core, PreferredSchedulingTerm),
	API_PROTO_DEF(core, NodeAffinity),
	API_PROTO_DEF(core, PodAffinityTerm),
	API_PROTO_DEF(core, WeightedPodAffinityTerm),
	API_PROTO_DEF(core, PodAffinity),
	API_PROTO_DEF(core, PodAntiAffinity),
	API_PROTO_DEF(core, Affinity),
	API_PROTO_DEF(core, Toleration),
	API_PROTO_DEF(core, HostAlias),
	API_PROTO_DEF(core, PodDNSConfigOption),
	API_PROTO_DEF(core, PodDNSConfig),
	API_PROTO_DEF(core, PodReadinessGate),
	API_PROTO_DEF(core, TopologySpreadConstraint),
	API_PROTO_DEF(core, PodOS),
	API_PROTO_DEF(core, PodSchedulingGate),
	API_PROTO_DEF(core, PodResourceClaim),
	API_PROTO_DEF(core, PodSchedulingGroup),
	API_PROTO_DEF(core, EvictionResponder),
	API_PROTO_DEF(core, PodSpec),
	API_PROTO_DEF(core, PodCondition),
	API_PROTO_DEF(core, HostIP),
	API_PROTO_DEF(core, PodIP),
	API_PROTO_DEF(core, ContainerStateWaiting),
	API_PROTO_DEF(core, ContainerStateRunning),
	API_PROTO_DEF(core, ContainerStateTerminated),
	API_PROTO_DEF(core, ContainerState),
	API_PROTO_DEF(core, ImageVolumeStatus),
	API_PROTO_DEF(core, VolumeStatus),
	API_PROTO_DEF(core, VolumeMountStatus),
	API_PROTO_DEF(core, LinuxContainerUser),
	API_PROTO_DEF(core, ContainerUser),
	API_PROTO_DEF(core, ResourceHealth),
	API_PROTO_DEF(core, ResourceStatus),
	API_PROTO_DEF(core, ContainerStatus),
	API_PROTO_DEF(core, PodResourceClaimStatus),
	API_PROTO_DEF(core, ContainerExtendedResourceRequest),
	API_PROTO_DEF(core, PodExtendedResourceClaimStatus),
	API_PROTO_DEF(core, NodeAllocatableMappedResources),
	API_PROTO_DEF(core, NodeAllocatableOverheadResources),
	API_PROTO_DEF(core, NodeAllocatableResourceClaimStatus),
	API_PROTO_DEF(core, VolumeHealthCondition),
	API_PROTO_DEF(core, PodVolumeHealth),
	API_PROTO_DEF(core, PodStatus),
	API_PROTO_DEF(core, Pod),
	API_PROTO_DEF(core, EndpointAddress),
	API_PROTO_DEF(core, EndpointPort),
	API_PROTO_DEF(core, EndpointSubset),
	API_PROTO_DEF(core, Endpoints),
	API_PROTO_DEF(core, EventSource),
	API_PROTO_DEF(core, EventSeries),
	API_PROTO_DEF(core, Event),
	API_PROTO_DEF(core, Taint),
	API_PROTO_DEF(core, ConfigMapNodeConfigSource),
	API_PROTO_DEF(core, NodeConfigSource),
	API_PROTO_DEF(core, NodePodPreemptionPolicy),
	API_PROTO_DEF(core, NodeSpec),
	API_PROTO_DEF(core, NodeCondition),
	API_PROTO_DEF(core, NodeAddress),
	API_PROTO_DEF(core, DaemonEndpoint),
	API_PROTO_DEF(core, NodeDaemonEndpoints),
	API_PROTO_DEF(core, NodeSwapStatus),
	API_PROTO_DEF(core, NodeSystemInfo),
	API_PROTO_DEF(core, ContainerImage),
	API_PROTO_DEF(core, AttachedVolume),
	API_PROTO_DEF(core, NodeConfigStatus),
	API_PROTO_DEF(core, NodeRuntimeHandlerFeatures),
	API_PROTO_DEF(core, NodeRuntimeHandler),
	API_PROTO_DEF(core, NodeFeatures),
	API_PROTO_DEF(core, NodeStatus),
	API_PROTO_DEF(core, Node),
	API_PROTO_DEF(core, PodTemplateSpec),
	API_PROTO_DEF(apps, RollingUpdateDeployment),
	API_PROTO_DEF(apps, DeploymentStrategy),
	API_PROTO_DEF(apps, DeploymentSpec),
	API_PROTO_DEF(apps, DeploymentCondition),
	API_PROTO_DEF(apps, DeploymentStatus),
	API_PROTO_DEF(apps, Deployment),
	API_PROTO_DEF(apps, ReplicaSetSpec),
	API_PROTO_DEF(apps, ReplicaSetCondition),
	API_PROTO_DEF(apps, ReplicaSetStatus),
	API_PROTO_DEF(apps, ReplicaSet),
	API_PROTO_DEF(disc, EndpointConditions),
	API_PROTO_DEF(disc, ForZone),
	API_PROTO_DEF(disc, ForNode),
	API_PROTO_DEF(disc, EndpointHints),
	API_PROTO_DEF(disc, Endpoint),
	API_PROTO_DEF(disc, EndpointPort),
	API_PROTO_DEF(disc, EndpointSlice),
	API_PROTO_DEF(coord, LeaseSpec),
	API_PROTO_DEF(coord, Lease),
};

/* The kinds a body may carry. */
static const struct {
	const char *api_version, *kind;
	uint16_t msg;
} api_proto_kinds[] = {
	{ "v1", "Namespace", API_PROTO_M_core_Namespace },
	{ "v1", "ConfigMap", API_PROTO_M_core_ConfigMap },
	{ "v1", "Secret", API_PROTO_M_core_Secret },
	{ "v1", "ServiceAccount", API_PROTO_M_core_ServiceAccount },
	{ "v1", "Service", API_PROTO_M_core_Service },
	{ "v1", "Pod", API_PROTO_M_core_Pod },
	{ "v1", "Endpoints", API_PROTO_M_core_Endpoints },
	{ "v1", "Event", API_PROTO_M_core_Event },
	{ "v1", "Node", API_PROTO_M_core_Node },
	{ "apps/v1", "Deployment", API_PROTO_M_apps_Deployment },
	{ "apps/v1", "ReplicaSet", API_PROTO_M_apps_ReplicaSet },
	{ "discovery.k8s.io/v1", "EndpointSlice", API_PROTO_M_disc_EndpointSlice },
	{ "coordination.k8s.io/v1", "Lease", API_PROTO_M_coord_Lease },
};

const struct api_proto_msg *api_proto_msg_of(const char *api_version, const char *kind)
{
	for (size_t i = 0; i < API_PROTO_N(api_proto_kinds); i++)
		if (strcmp(api_proto_kinds[i].api_version, api_version) == 0 &&
		    strcmp(api_proto_kinds[i].kind, kind) == 0)
			return &api_proto_msgs[api_proto_kinds[i].msg];
	return NULL;
}
