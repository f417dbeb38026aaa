/* Unit tests for controller/ctl_hash.c: pod-template-hash and pod names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ctl.h"

static struct model_deployment *deployment(void)
{
	struct model_deployment *d = calloc(1, sizeof(*d));

	model_deployment_init(d);
	strcpy(d->meta.name, "web");
	model_map_set(&d->selector, "app", "web");
	model_map_set(&d->template_labels, "app", "web");
	model_map_set(&d->template_labels, "tier", "frontend");
	d->pod.n_containers = 1;
	strcpy(d->pod.containers[0].name, "web");
	strcpy(d->pod.containers[0].image, "nfranssens/nodejs-ip");
	d->pod.containers[0].n_ports = 1;
	d->pod.containers[0].ports[0].port = 8080;
	return d;
}

static void assert_alphabet(const char *s, size_t len)
{
	assert_int_equal(strlen(s), len);
	for (size_t i = 0; i < len; i++)
		assert_non_null(strchr(CTL_ALPHABET, s[i]));
}

static void test_hash_shape_and_golden(void **state)
{
	struct model_deployment *d = deployment();
	char h[CTL_HASH_LEN + 1];

	(void)state;
	assert_int_equal(ctl_template_hash(d, h), 0);
	assert_alphabet(h, CTL_HASH_LEN);
	/* Pinned: a change here rolls every pod of every lab on upgrade. */
	assert_string_equal(h, "5785999d88");
	free(d);
}

static void test_hash_covers_template_only(void **state)
{
	struct model_deployment *d = deployment();
	char h0[CTL_HASH_LEN + 1], h[CTL_HASH_LEN + 1];

	(void)state;
	ctl_template_hash(d, h0);
	/* Not part of the template: same pods. */
	d->replicas = 7;
	d->max_surge = (struct model_int_or_percent){ 2, false };
	model_map_set(&d->meta.labels, "x", "y");
	model_map_set(&d->meta.annotations, "deployment.kubernetes.io/revision", "3");
	d->meta.generation = 9;
	ctl_template_hash(d, h);
	assert_string_equal(h, h0);
	/* The same labels in another order. */
	model_map_del(&d->template_labels, "app");
	model_map_set(&d->template_labels, "app", "web");
	assert_string_equal(d->template_labels.items[0].key, "tier");
	ctl_template_hash(d, h);
	assert_string_equal(h, h0);

	/* Each template part changes it. */
	strcpy(d->pod.containers[0].image, "nfranssens/nodejs-ip:v2");
	ctl_template_hash(d, h);
	assert_string_not_equal(h, h0);
	strcpy(d->pod.containers[0].image, "nfranssens/nodejs-ip");
	ctl_template_hash(d, h);
	assert_string_equal(h, h0);
	model_map_set(&d->template_annotations, "kubectl.kubernetes.io/restartedAt",
		      "2026-11-27T08:00:00Z");
	ctl_template_hash(d, h);
	assert_string_not_equal(h, h0);
	model_map_del(&d->template_annotations, "kubectl.kubernetes.io/restartedAt");
	d->pod.termination_grace_s = 5;
	ctl_template_hash(d, h);
	assert_string_not_equal(h, h0);
	d->pod.termination_grace_s = 30;
	model_map_set(&d->template_labels, "tier", "backend");
	ctl_template_hash(d, h);
	assert_string_not_equal(h, h0);
	free(d);
}

static void test_pod_name(void **state)
{
	const unsigned char rnd[CTL_SUFFIX_LEN] = { 0, 1, 26, 27, 255 };
	char name[MODEL_NAME_MAX], longname[MODEL_NAME_MAX];

	(void)state;
	ctl_pod_name("web", "5d59d67564", rnd, name);
	assert_string_equal(name, "web-5d59d67564-bc9bq");
	/* A 63-character Deployment name: the base is cut, the suffix kept. */
	memset(longname, 'a', 63);
	longname[63] = '\0';
	ctl_pod_name(longname, "5d59d67564", rnd, name);
	assert_int_equal(strlen(name), 63);
	assert_memory_equal(name, longname, 58);
	assert_string_equal(name + 58, "bc9bq");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_shape_and_golden),
		cmocka_unit_test(test_hash_covers_template_only),
		cmocka_unit_test(test_pod_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
