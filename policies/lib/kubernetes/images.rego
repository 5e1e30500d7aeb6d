# Container image references, parsed the way the container runtime resolves them (the
# docker/distribution reference grammar, normalized): "nginx:1.27" is
# docker.io/library/nginx with tag 1.27. Shared by the image policies so that
# "which registry does this image come from" has one answer.
#
#   parse(image)  {"domain": "docker.io", "path": "library/nginx",
#                  "name": "docker.io/library/nginx", "tag": "1.27" | null,
#                  "digest": "sha256:..." | null}
#   within(ref, prefix)  true when ref.name is the registry or repository prefix `prefix`, or
#                  lies under it on a "/" boundary ("registry.example.com" covers
#                  registry.example.com/team/app, not registry.example.com.evil.io/app)
#   has_digest(image)  true when the image is pinned by a well-formed digest (@algorithm:hex)
#
# Registry host names are compared in lower case (DNS names are case-insensitive; repository
# paths must be lower case anyway).
package lib.kubernetes.images

parse(image) := {
	"domain": domain,
	"path": p,
	"name": concat("/", [domain, p]),
	"tag": tag,
	"digest": digest,
} if {
	is_string(image)
	[rest, digest] := _split_digest(image)
	[named, tag] := _split_tag(rest)
	[domain, p] := _split_domain(named)
}

within(ref, prefix) if {
	p := trim_suffix(lower(prefix), "/")
	p != ""
	name := lower(ref.name)
	_within(name, p)
}

_within(name, p) if name == p

_within(name, p) if startswith(name, concat("", [p, "/"]))

# OCI image spec digest: algorithm ":" encoded, with the registered algorithms' lengths for
# sha256 and sha512 and the generic grammar for others.
has_digest(image) if {
	is_string(image)
	[_, digest] := _split_digest(image)
	is_string(digest)
	_valid_digest(digest)
}

_valid_digest(d) if regex.match(`^sha256:[a-f0-9]{64}$`, d)

_valid_digest(d) if regex.match(`^sha512:[a-f0-9]{128}$`, d)

_valid_digest(d) if {
	not startswith(d, "sha256:")
	not startswith(d, "sha512:")
	regex.match(`^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$`, d)
}

_split_digest(image) := [substring(image, 0, i), substring(image, i + 1, -1)] if {
	i := indexof(image, "@")
	i >= 0
}

_split_digest(image) := [image, null] if not contains(image, "@")

# Only the last path segment can hold a tag: "registry:5000/app" is untagged.
_split_tag(named) := [substring(named, 0, (count(named) - count(tag)) - 1), tag] if {
	last := _last_segment(named)
	i := indexof(last, ":")
	i >= 0
	tag := substring(last, i + 1, -1)
}

_split_tag(named) := [named, null] if not contains(_last_segment(named), ":")

_last_segment(s) := parts[count(parts) - 1] if parts := split(s, "/")

# The first segment is a registry host when it looks like one (has a dot or a port, or is
# localhost); otherwise the image is on Docker Hub, whose single-segment names live under library/.
_split_domain(named) := [domain, _hub_path(domain, p)] if {
	parts := split(named, "/")
	count(parts) > 1
	_is_domain(parts[0])
	domain := _canonical_domain(lower(parts[0]))
	p := concat("/", array.slice(parts, 1, count(parts)))
}

_split_domain(named) := ["docker.io", _hub_path("docker.io", named)] if {
	parts := split(named, "/")
	not _first_is_domain(parts)
}

_first_is_domain(parts) if {
	count(parts) > 1
	_is_domain(parts[0])
}

_is_domain(s) if contains(s, ".")

_is_domain(s) if contains(s, ":")

_is_domain(s) if s == "localhost"

_canonical_domain(d) := "docker.io" if d == "index.docker.io"

_canonical_domain(d) := d if d != "index.docker.io"

_hub_path(domain, p) := concat("/", ["library", p]) if {
	domain == "docker.io"
	not contains(p, "/")
}

_hub_path(domain, p) := p if {
	domain != "docker.io"
}

_hub_path(domain, p) := p if {
	domain == "docker.io"
	contains(p, "/")
}
