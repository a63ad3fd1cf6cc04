package org.stellaops.scanner.image;

import java.util.regex.Pattern;
import org.stellaops.scanner.ScanException;
import org.stellaops.scanner.util.Digests;

/**
 * A registry image reference in Docker's normalized form: {@code [registry/]repository[:tag][@digest]};
 * no registry means Docker Hub, one-part Hub names get {@code library/}, and no tag nor digest means {@code latest}.
 */
public record ImageRef(String registry, String repository, String tag, String digest) {
    public static final String DOCKER_HUB = "docker.io";
    private static final Pattern REPO = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");

    public static ImageRef parse(String ref) {
        if (ref == null || ref.isBlank()) {
            throw invalid(ref, "empty reference");
        }
        String rest = ref.trim();
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!Digests.isDigest(digest)) {
                throw invalid(ref, "invalid digest '" + digest + "'");
            }
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw invalid(ref, "invalid tag '" + tag + "'");
            }
        }
        String registry = DOCKER_HUB;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                registry = first;
                rest = rest.substring(slash + 1);
            }
        }
        if (registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")) {
            registry = DOCKER_HUB;
        }
        if (registry.equals(DOCKER_HUB) && !rest.contains("/")) {
            rest = "library/" + rest;
        }
        if (!REPO.matcher(rest).matches()) {
            throw invalid(ref, "invalid repository name '" + rest + "'");
        }
        if (tag == null && digest == null) {
            tag = "latest";
        }
        return new ImageRef(registry, rest, tag, digest);
    }

    private static ScanException invalid(String ref, String why) {
        return new ScanException(ScanException.Kind.INVALID_ARGUMENT, "invalid image reference '" + ref + "': " + why);
    }

    /** The reference to ask the registry for: the digest when given, else the tag. */
    public String manifestReference() {
        return digest != null ? digest : tag;
    }

    /** registry/repository, as used for the image name in SBOMs. */
    public String name() {
        return registry + "/" + repository;
    }

    @Override
    public String toString() {
        return name() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }
}
