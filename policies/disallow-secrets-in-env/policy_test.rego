package policies.disallow_secrets_in_env_test

import data.policies.disallow_secrets_in_env as policy

_review(kind, obj) := {"kind": {"group": "", "version": "v1", "kind": kind}, "operation": "CREATE", "object": obj}

_pod(env) := {"spec": {"containers": [{"name": "app", "env": env}]}}

_paths(vs) := {v.path | some v in vs}

test_password_literal_denied if {
	policy.violation == {{
		"msg": "secret in env (container \"app\" must not set DB_PASSWORD to a literal value)",
		"path": "spec.containers[0].env[1].value",
		"fix": "keep DB_PASSWORD in a Secret and mount it as a file, or reference it with valueFrom.secretKeyRef",
		"details": {"container": "app", "containerType": "container", "env": "DB_PASSWORD", "pattern": "PASSWORD"},
	}} with input.review as _review("Pod", _pod([{"name": "DB_HOST", "value": "db"}, {"name": "DB_PASSWORD", "value": "hunter2"}]))
}

test_value_never_repeated if {
	vs := policy.violation with input.review as _review("Pod", _pod([{"name": "API_TOKEN", "value": "s3cr3t-value"}]))
	count(vs) == 1
	every v in vs {
		not contains(json.marshal(v), "s3cr3t-value")
	}
}

test_patterns_case_insensitive if {
	env := [
		{"name": "github_token", "value": "x"},
		{"name": "AWS_SECRET_ACCESS_KEY", "value": "x"},
		{"name": "ApiKey", "value": "x"},
		{"name": "LOG_LEVEL", "value": "debug"},
	]
	_paths(policy.violation) == {"spec.containers[0].env[0].value", "spec.containers[0].env[1].value", "spec.containers[0].env[2].value"} with input.review as _review("Pod", _pod(env))
}

test_references_allowed if {
	env := [
		{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
		{"name": "DB_PASSWORD_COPY", "value": "$(DB_PASSWORD)"},
		{"name": "TOKEN_FILE", "value": ""},
	]
	count(policy.violation) == 0 with input.review as _review("Pod", _pod(env))
	_paths(policy.violation) == {"spec.containers[0].env[0].value"} with input.review as _review("Pod", _pod([{"name": "TOKEN", "value": "pre-$(X)"}]))
}

test_parameters if {
	env := [{"name": "KEYCLOAK_URL", "value": "https://sso"}, {"name": "PIN", "value": "1234"}]
	_paths(policy.violation) == {"spec.containers[0].env[0].value"} with input.review as _review("Pod", _pod(env))
	count(policy.violation) == 0 with input.review as _review("Pod", _pod(env)) with input.parameters as {"allowedNames": ["KEYCLOAK_URL"]}
	_paths(policy.violation) == {"spec.containers[0].env[1].value"} with input.review as _review("Pod", _pod(env)) with input.parameters as {"namePatterns": ["pin"]}
}

test_every_container_type if {
	d := {"spec": {"template": {"spec": {
		"initContainers": [{"name": "init", "env": [{"name": "PASSWORD", "value": "x"}]}],
		"containers": [{"name": "app"}],
		"ephemeralContainers": [{"name": "debug", "env": [{"name": "TOKEN", "value": "x"}]}],
	}}}}
	_paths(policy.violation) == {"spec.template.spec.initContainers[0].env[0].value", "spec.template.spec.ephemeralContainers[0].env[0].value"} with input.review as _review("Deployment", d)
}

test_delete_allowed if {
	count(policy.violation) == 0 with input.review as {"kind": {"kind": "Pod"}, "operation": "DELETE", "object": null}
}
